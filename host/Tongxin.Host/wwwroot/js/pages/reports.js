// Reports for the town supervisor and civil affairs (and the gap map for programme owners): what is due,
// which needs have climbed and why, the quarterly ledger (printable), the gap map, staffing. Counts only.
import { t, formatNumber } from '../i18n.js';
import { get, download } from '../api.js';
import { lineNames, regionNames } from '../state.js';
import { careSummaryCard } from './care.js';
import { h, pageView, card, badge, dataTable, button, fmt, problemView } from '../ui.js';

/** The quarter we are in (China time) and the three before it, newest first: `2026Q4`. */
export function recentQuarters(count = 4) {
  const now = new Date(Date.now() + 8 * 3_600_000);
  let year = now.getUTCFullYear();
  let quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  const list = [];
  for (let i = 0; i < count; i++) {
    list.push(`${year}Q${quarter}`);
    quarter -= 1;
    if (quarter === 0) { quarter = 4; year -= 1; }
  }
  return list;
}

const scopeQuery = (query) => (query.region ? `regionCode=${encodeURIComponent(query.region)}` : '');
const withScope = (path, query) => { const s = scopeQuery(query); return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path; };

function remindersCard(reminders) {
  if (!reminders.length) return null;
  return card(t('reports.remindersTitle'), h('ul', { class: 'rows', id: 'report-reminders' }, reminders.map((r) => h('li', {},
    h('strong', {}, r.townName), ' ',
    t(r.kind === 'ledger' ? 'reports.reminderLedger' : 'reports.reminderAnnual', { period: r.period, due: fmt.date(r.dueOn) }), ' ',
    h('span', { class: r.daysLeft <= 3 ? 'badge badge-escalated-true' : 'badge' }, r.daysLeft >= 0 ? t('reports.daysLeft', { days: r.daysLeft }) : t('reports.overdue'))))));
}

function escalationsCard(escalated, lineName) {
  return card(t('reports.escalatedTitle'), escalated.length ? dataTable({
    id: 'escalated-needs',
    headers: [t('reports.col.line'), t('reports.col.village'), t('reports.col.waiting'), t('reports.col.level'), t('reports.col.reason')],
    rows: escalated.map((n) => {
      const last = n.steps[n.steps.length - 1];
      return {
        attrs: { 'data-need-id': n.needId },
        cells: [
          h('a', { href: `#/needs/${n.needId}` }, lineName(n.line)), n.villageCode,
          t('reports.days', { days: formatNumber(n.daysWaiting, 1) }),
          badge('escalationLevel', n.level),
          [last.reason, last.lineRule ? h('span', { class: 'muted small' }, ` (${last.lineRule})`) : null],
        ],
      };
    }),
  }) : h('p', { class: 'ok' }, t('reports.noneEscalated')), h('p', { class: 'small muted' }, t('reports.escalatedHint')));
}

function ledgerTable(ledger) {
  const towns = [...ledger.towns, { ...ledger.total, townName: t('reports.total') }];
  const sum = (town, pick) => town.needs.reduce((s, n) => s + pick(n), 0);
  return dataTable({
    id: 'ledger-table',
    headers: [t('reports.col.town'), t('reports.col.children'), t('reports.col.leftBehind'), t('reports.col.inDifficulty'), t('reports.col.highRisk'),
      t('reports.col.new'), t('reports.col.closed'), t('reports.col.movedIn'), t('reports.col.movedOut'),
      t('reports.col.openAtEnd'), t('reports.col.pairings'), t('reports.col.rhythm')],
    rows: towns.map((town) => {
      const kept = town.rhythm.reduce((s, r) => s + r.rhythmKept, 0);
      const children = town.rhythm.reduce((s, r) => s + r.children, 0);
      return {
        attrs: { 'data-town': town.townCode },
        cells: [town.townName, town.children.total, town.children.leftBehind, town.children.inDifficulty, town.children.riskHigh,
          town.changes.new, town.changes.closed, town.changes.movedIn, town.changes.movedOut,
          sum(town, (n) => n.openAtEnd), sum(town, (n) => n.pairingsActiveAtEnd), children ? `${kept}/${children}` : '—'].map((v) => (typeof v === 'number' ? formatNumber(v) : v)),
      };
    }),
  });
}

/** The quarter's comparisons with education's and the police's rosters (003 §10): done or not, when, and the items of each kind. */
function comparisonsOfLedger(ledger) {
  return h('div', { id: 'ledger-comparisons' },
    h('h3', {}, t('reports.comparisonsTitle')),
    h('ul', { class: 'rows' }, (ledger.comparisons ?? []).map((c) => {
      const source = t(`comparison.source.${c.source}`);
      const state = !c.uploaded ? t('reports.comparisonMissing', { source })
        : c.done ? t('reports.comparisonDone', { source, at: fmt.dateTime(c.completedAt) })
          : t('reports.comparisonOpen', { source, open: c.open });
      return h('li', { 'data-source': c.source, 'data-done': String(c.done) },
        badge('comparisonDone', String(c.done)), ' ', state,
        c.uploaded ? h('span', { class: 'small muted' }, ' · ', t('reports.comparisonCounts', { missing: c.missingFile, absent: c.noRosterRow, differs: c.differs })) : null);
    })));
}

async function ledgerCard(ctx) {
  const quarters = recentQuarters();
  const quarter = quarters.includes(ctx.query.quarter) ? ctx.query.quarter : quarters[0];
  const path = withScope(`/api/reports/ledger?quarter=${quarter}`, ctx.query);
  const ledger = await get(path);
  const picker = h('nav', { class: 'filters', 'aria-label': t('reports.quarterLabel') }, quarters.map((q) => h('a', {
    href: `#/reports?quarter=${q}${ctx.query.region ? `&region=${ctx.query.region}` : ''}`, class: `chip ${q === quarter ? 'chip-on' : ''}`, 'aria-current': q === quarter ? 'true' : null,
  }, q)));
  const print = () => {
    document.body.classList.add('printing-ledger');
    window.print();
    document.body.classList.remove('printing-ledger');
  };
  const section = card(t('reports.ledgerTitle', { quarter: ledger.quarter, region: ledger.regionName }),
    picker,
    h('p', { class: 'small muted' }, t('reports.ledgerLead', { due: fmt.date(ledger.dueOn), asOf: fmt.dateTime(ledger.asOf) })),
    ledgerTable(ledger),
    comparisonsOfLedger(ledger),
    ledger.careByVillage?.length ? [h('h3', {}, t('reports.careTitle')), careSummaryCard(ledger.careByVillage, await regionNames())] : null,
    h('div', { class: 'page-actions no-print' },
      button(t('reports.print'), print, { id: 'ledger-print' }),
      button(t('reports.downloadCsv'), () => download(`${path}&format=csv`, `ledger-${ledger.quarter}.csv`), { id: 'ledger-csv' }),
      button(t('reports.downloadAnnual'), () => download(withScope('/api/reports/annual?format=csv', ctx.query), 'annual.csv'), { id: 'annual-csv' })));
  section.id = 'ledger';
  return section;
}

function gapsCard(gaps, path) {
  const rows = gaps.rows.filter((r) => r.openNeeds > 0 || r.providers > 0);
  return card(t('reports.gapsTitle'), rows.length ? dataTable({
    id: 'gap-table',
    headers: [t('reports.col.town'), t('reports.col.line'), t('reports.col.openNeeds'), t('reports.col.median'), t('reports.col.p90'), t('reports.col.providers'), t('reports.col.freePlaces')],
    rows: rows.map((r) => ({
      attrs: { 'data-town': r.townCode, 'data-line': r.line, class: r.openNeeds > r.freePlaces ? 'row-warn' : null },
      cells: [r.townName, r.lineName, formatNumber(r.openNeeds), r.medianDaysWaiting ?? '—', r.p90DaysWaiting ?? '—', formatNumber(r.providers), formatNumber(r.freePlaces)],
    })),
  }) : h('p', { class: 'ok' }, t('reports.noGaps')),
  h('p', { class: 'small muted' }, t('reports.gapsHint')),
  h('div', { class: 'page-actions no-print' }, button(t('reports.downloadCsv'), () => download(`${path}${path.includes('?') ? '&' : '?'}format=csv`, 'gaps.csv'), { id: 'gaps-csv' })));
}

function staffingCard(staffing) {
  const flagged = staffing.villages.filter((v) => v.noDirector || v.overThirtyPerDirector);
  return card(t('reports.staffingTitle'), flagged.length ? h('ul', { class: 'rows', id: 'staffing-flags' }, flagged.map((v) => h('li', { 'data-village': v.villageCode },
    h('strong', {}, v.villageName), ' ',
    v.noDirector ? t('reports.noDirector', { children: v.children }) : t('reports.overThirty', { children: v.children, directors: v.directors }))))
    : h('p', { class: 'ok' }, t('reports.staffingOk')), h('p', { class: 'small muted' }, t('reports.staffingHint')));
}

export async function reportsPage(ctx) {
  const staff = ctx.me.role !== 'programme-owner';
  const gapsPath = withScope('/api/reports/gaps', ctx.query);
  const [lineName, gaps, reminders, escalated, staffing] = await Promise.all([
    lineNames(),
    get(gapsPath),
    staff ? get(withScope('/api/reports/reminders', ctx.query)) : [],
    staff ? get(withScope('/api/escalations', ctx.query)) : [],
    staff ? get(withScope('/api/reports/staffing', ctx.query)) : null,
  ]);
  let ledger = null;
  if (staff) {
    try { ledger = await ledgerCard(ctx); } catch (error) { ledger = card(t('reports.ledgerTitle', { quarter: '', region: '' }), problemView(error)); }
  }
  return pageView(t('reports.title'), { lead: t(staff ? 'reports.lead' : 'reports.leadOwner') },
    staff ? remindersCard(reminders) : null,
    staff ? escalationsCard(escalated, lineName) : null,
    ledger,
    gapsCard(gaps, gapsPath),
    staff ? staffingCard(staffing) : null);
}
