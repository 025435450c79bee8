// The quarterly comparison of the files with education's and the police's rosters (003 §10). Civil affairs uploads a
// roster and follows the progress per village; the town's supervisor and the village's child director see their items
// (a possible missing file, a file without a roster row, fields that differ) and resolve each with a note. Made for a
// phone first: items are cards, the resolve form sits under its item. No ID number is ever shown: the host keeps none.
import { t } from '../i18n.js';
import { ApiError, api, get, post, allPages, download } from '../api.js';
import { h, pageView, card, badge, dataTable, button, field, link, empty, fmt, notify, problemView, Form, enumOptions } from '../ui.js';
import { recentQuarters } from './reports.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const sheetType = (file) => (file.name.toLowerCase().endsWith('.xlsx') ? XLSX : 'text/csv');

const countsText = (counts) => t('comparison.counts', {
  open: counts.open, total: counts.total, missing: counts.missingFile, absent: counts.noRosterRow, differs: counts.differs,
});

/** `#/comparisons`: the upload (civil affairs) and the county's comparisons, newest quarter first. */
export async function comparisonsPage(ctx) {
  const list = await get('/api/comparisons');
  const civil = ctx.me.role === 'civil-affairs';
  return pageView(t('comparison.title'), { lead: t(civil ? 'comparison.leadCivil' : 'comparison.leadVillage') },
    civil ? uploadCard(ctx) : null,
    card(t('comparison.listTitle'), list.length
      ? h('ul', { class: 'rows', id: 'comparison-list' }, list.map((c) => h('li', { 'data-comparison': c.id, 'data-source': c.source, 'data-quarter': c.quarter },
        h('a', { href: `#/comparisons/${c.id}` }, t('comparison.name', { quarter: c.quarter, source: t(`comparison.source.${c.source}`) })), ' ',
        badge('comparisonDone', String(c.done)), ' ',
        h('span', { class: 'small' }, countsText(c.counts)),
        h('p', { class: 'small muted' }, c.done ? t('comparison.doneAt', { at: fmt.dateTime(c.completedAt) }) : t('comparison.uploadedAt', { at: fmt.dateTime(c.uploadedAt) })))))
      : empty('comparison.none')));
}

function uploadCard(ctx) {
  const quarters = recentQuarters();
  const result = h('div', { id: 'comparison-upload-result', 'aria-live': 'polite' });
  const source = field({ name: 'source', label: t('comparison.source'), kind: 'radio', options: enumOptions('comparison.source', ['education', 'police']), value: 'education', required: true });
  const quarter = field({ name: 'quarter', label: t('comparison.quarter'), kind: 'choice', options: quarters.map((q) => [q, q]), value: quarters[0], required: true });
  const file = field({ name: 'file', label: t('comparison.file'), kind: 'file', accept: '.csv,.xlsx', hint: t('comparison.fileHint'), required: true });
  const send = async () => {
    [source, quarter, file].forEach((f) => f.setError(null));
    const chosen = file.read();
    if (!chosen) { file.setError([t('import.chooseFile')]); return; }
    result.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('common.loading')));
    try {
      const summary = await api(`/api/comparisons?source=${source.read()}&quarter=${quarter.read()}`, { method: 'POST', body: chosen, contentType: sheetType(chosen) });
      notify(t('comparison.uploaded', { open: summary.counts.open }));
      ctx.navigate(`/comparisons/${summary.id}`);
    } catch (error) {
      const errors = error instanceof ApiError ? error.errors : {};
      if (errors.file) file.setError(errors.file);
      if (errors.source) source.setError(errors.source);
      if (errors.quarter) quarter.setError(errors.quarter);
      // Headers and bad rows (`row N.<column>`), each on a line, so the department's sheet can be fixed.
      const lines = Object.entries(errors).filter(([key]) => key === 'headers' || key.startsWith('row '))
        .flatMap(([key, messages]) => messages.map((m) => (key === 'headers' ? m : t('comparison.rowError', { where: key.replace(/^row (\d+)\./, t('comparison.rowPrefix')), message: m }))));
      result.replaceChildren(...[problemView(error),
        lines.length ? h('ul', { class: 'problem-list', id: 'comparison-upload-errors' }, lines.map((m) => h('li', {}, m))) : null].filter(Boolean));
    }
  };
  const template = (format) => download(`/api/comparisons/template?source=${source.read() || 'education'}&format=${format}`, `comparison-${source.read()}-template.${format}`);
  return card(t('comparison.uploadTitle'),
    h('div', { class: 'form', id: 'comparison-upload' }, source.el, quarter.el, file.el,
      h('div', { class: 'form-actions' },
        button(t('comparison.upload'), send, { kind: 'primary', id: 'comparison-upload-send' }),
        button(t('import.template'), () => template('xlsx'), { id: 'comparison-template' }),
        button(t('import.templateCsv'), () => template('csv'), { id: 'comparison-template-csv' }))),
    result);
}

/** `#/comparisons/:id?state=open|resolved|all&village=`: progress per village and the items of the caller's region. */
export async function comparisonPage(ctx) {
  const { id } = ctx.params;
  const state = ['open', 'resolved', 'all'].includes(ctx.query.state) ? ctx.query.state : 'open';
  const village = ctx.query.village || '';
  const query = new URLSearchParams();
  if (state !== 'all') query.set('state', state);
  if (village) query.set('villageCode', village);
  const detail = await get(`/api/comparisons/${encodeURIComponent(id)}?${query}`);
  const c = detail.comparison;
  const resolves = ['child-director', 'supervisor'].includes(ctx.me.role);
  const files = resolves && detail.items.some((i) => i.kind === 'missing-file' && i.state === 'open') ? (await allPages('/api/children', 100, 5)).items : [];
  const href = (next) => {
    const q = new URLSearchParams({ state: next.state ?? state });
    if (next.village ?? village) q.set('village', next.village ?? village);
    return `#/comparisons/${id}?${q}`;
  };
  const chips = h('nav', { class: 'filters', 'aria-label': t('comparison.stateLabel') }, ['open', 'resolved', 'all'].map((s) => h('a', {
    href: href({ state: s }), class: `chip ${s === state ? 'chip-on' : ''}`, 'aria-current': s === state ? 'true' : null, 'data-state': s,
  }, t(`comparison.state.${s}`))));
  return pageView(t('comparison.name', { quarter: c.quarter, source: t(`comparison.source.${c.source}`) }), {
    actions: [link(t('comparison.back'), '#/comparisons', { id: 'comparison-back' })],
  },
  h('p', { id: 'comparison-summary', class: c.done ? 'ok' : 'small', 'data-done': String(c.done) },
    badge('comparisonDone', String(c.done)), ' ', countsText(c.counts), ' · ',
    c.done ? t('comparison.doneAt', { at: fmt.dateTime(c.completedAt) }) : t('comparison.uploadedAt', { at: fmt.dateTime(c.uploadedAt) })),
  ctx.me.role === 'child-director' ? null : villagesCard(detail.villages, href, village),
  card(village ? t('comparison.itemsOf', { village: detail.villages.find((v) => v.villageCode === village)?.villageName ?? village }) : t('comparison.items'),
    chips,
    detail.items.length
      ? h('ul', { class: 'comparison-items', id: 'comparison-items' }, detail.items.map((item) => itemView(ctx, c, item, resolves, files)))
      : empty(state === 'open' ? 'comparison.noneOpen' : 'comparison.noneHere')));
}

function villagesCard(villages, href, current) {
  if (!villages.length) return null;
  return card(t('comparison.villages'), dataTable({
    id: 'comparison-villages',
    headers: [t('comparison.col.village'), t('comparison.kind.missing-file'), t('comparison.kind.no-roster-row'), t('comparison.kind.differs'), t('comparison.col.open'), ''],
    rows: villages.map((v) => ({
      attrs: { 'data-village': v.villageCode, 'data-open': v.counts.open },
      cells: [
        h('a', { href: href({ village: v.villageCode, state: 'all' }), 'aria-current': v.villageCode === current ? 'true' : null }, v.townName ? `${v.townName} · ${v.villageName}` : v.villageName),
        v.counts.missingFile, v.counts.noRosterRow, v.counts.differs, `${v.counts.open}/${v.counts.total}`,
        badge('comparisonDone', String(v.counts.open === 0)),
      ],
    })),
  }));
}

function itemView(ctx, comparison, item, resolves, files) {
  const facts = [];
  if (item.roster) {
    facts.push(h('p', { class: 'small' }, h('strong', {}, t('comparison.rosterSays')), ' ',
      [item.roster.name, item.roster.birthDate && fmt.date(item.roster.birthDate), item.roster.villageName,
        item.roster.school, item.roster.grade, item.roster.row && t('comparison.row', { row: item.roster.row })].filter(Boolean).join(' · ')));
  }
  if (item.file) {
    facts.push(h('p', { class: 'small' }, h('strong', {}, t('comparison.fileSays')), ' ',
      item.file.name
        ? [h('a', { href: `#/children/${item.file.id}` }, item.file.name), ' · ', [fmt.date(item.file.birthDate), item.file.villageName].join(' · '),
          item.file.closed ? [' ', h('span', { class: 'badge' }, t('comparison.fileClosed'))] : null]
        : t('comparison.fileElsewhere')));
  }
  if (item.differences.length) {
    facts.push(h('ul', { class: 'row-errors', 'data-differences': item.differences.map((d) => d.field).join(',') }, item.differences.map((d) => h('li', {},
      t('comparison.difference', { field: t(`comparison.field.${d.field}`), roster: d.roster, file: d.file })))));
  }
  let after = null;
  if (item.state === 'resolved') {
    after = h('p', { class: 'small', 'data-resolution': item.resolution },
      badge('comparisonResolution', item.resolution), ' ', item.note, ' · ', t('comparison.resolvedBy', { by: item.resolvedBy ?? '', at: fmt.dateTime(item.resolvedAt) }),
      item.resolvedChildId ? [' · ', h('a', { href: `#/children/${item.resolvedChildId}` }, t('comparison.newFile'))] : null);
  } else if (resolves) {
    after = resolveForm(ctx, comparison, item, files);
  }
  return h('li', { class: 'card comparison-item', 'data-item': item.id, 'data-kind': item.kind, 'data-state': item.state },
    h('p', {}, badge('comparisonKind', item.kind), ' ', h('span', { class: 'muted small' }, item.villageName)),
    facts, after);
}

function resolveForm(ctx, comparison, item, files) {
  const kinds = item.kind === 'missing-file' ? ['file-created', 'roster-wrong'] : ['file-moved-or-closed', 'roster-wrong'];
  const form = new Form({
    submitLabel: t('comparison.resolve'),
    onSubmit: async (values) => {
      const body = { resolution: values.resolution, note: values.note, childId: values.resolution === 'file-created' ? values.childId : null };
      const answer = await post(`/api/comparisons/${comparison.id}/items/${item.id}/resolve`, body);
      notify(answer.comparisonDone ? t('comparison.nowDone') : t('comparison.resolved'));
      await ctx.refresh();
    },
  });
  form.el.classList.add('comparison-resolve');
  form.add(field({ name: 'resolution', label: t('comparison.resolution'), kind: 'radio', required: true, options: enumOptions('comparisonResolution', kinds) }));
  if (item.kind === 'missing-file') {
    // The child's file, newly opened: the files of the caller's area, those of the roster's name first.
    const name = item.roster?.name ?? '';
    const sorted = [...files].sort((a, b) => Number(`${b.familyName}${b.givenName}` === name) - Number(`${a.familyName}${a.givenName}` === name));
    form.add(field({ name: 'childId', label: t('comparison.childId'), kind: 'choice', hint: t('comparison.childIdHint'),
      options: sorted.map((f) => [f.id, `${f.familyName}${f.givenName}（${t('children.age', { age: f.age })}）`]) }));
    form.add(h('p', { class: 'small' }, link(t('comparison.openFile'), '#/children/new')));
  }
  form.add(field({ name: 'note', label: t('comparison.note'), kind: 'textarea', required: true, maxLength: 500, hint: t('comparison.noteHint') }));
  return form.el;
}
