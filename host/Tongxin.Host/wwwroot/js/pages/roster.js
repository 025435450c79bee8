// The county's roster of children (civil affairs for its county, a supervisor for its town): check the sheet,
// see per row whether it opens a file, matches one as it is, or changes one (and which columns), then import it
// all or nothing. The national ID number is never shown back: the host keeps only its keyed hash.
import { t } from '../i18n.js';
import { h, pageView, dataTable, badge, link } from '../ui.js';
import { importCard, rowErrors } from '../imports.js';

export async function rosterPage() {
  return pageView(t('roster.title'), {
    actions: [link(t('roster.back'), '#/children', { id: 'roster-back' })],
    lead: t('roster.lead'),
  },
  importCard({
    title: t('roster.cardTitle'),
    fileLabel: t('roster.file'),
    hint: t('roster.hint'),
    url: '/api/children/import',
    template: { url: '/api/children/import/template', name: 'roster-template' },
    table: rosterTable,
    writes: (answer) => answer.new + answer.changed,
    applyLabel: (count) => t('roster.apply', { count }),
  }));
}

function rosterTable(answer) {
  const rows = answer.rows.map((row) => ({
    attrs: { 'data-row': row.row, 'data-status': row.status },
    cells: [
      String(row.row),
      row.childId && !answer.dryRun ? h('a', { href: `#/children/${row.childId}` }, row.name ?? '') : row.name ?? '',
      row.birthDate ?? '',
      row.villageName ? `${row.villageName}（${row.villageCode}）` : '',
      h('div', {}, badge('rosterStatus', row.status),
        row.changes ? h('p', { class: 'small', 'data-changes': row.changes.join(',') }, t('roster.changes', { columns: row.changes.join('、') })) : null,
        rowErrors(row)),
    ],
  }));
  const summary = t(answer.dryRun ? 'roster.checked' : 'roster.done', { new: answer.new, same: answer.same, changed: answer.changed, errors: answer.errors });
  return h('div', {},
    h('p', { class: answer.errors ? 'problem' : 'small', role: answer.errors ? 'alert' : 'status', id: 'import-summary' }, summary),
    dataTable({ id: 'import-table', headers: [t('import.row'), t('import.name'), t('roster.birthDate'), t('roster.village'), t('import.status')], rows }));
}
