// The supervisor's town and civil affairs' county at a glance (hand-made SVG charts), and matching on demand.
import { t, formatNumber } from '../i18n.js';
import { get, post, allPages } from '../api.js';
import { lineNames, regions, modules } from '../state.js';
import { h, pageView, card, badge, empty, dataTable, Form, field, fmt, notify, problemView } from '../ui.js';
import { barChart, donutChart, stackedBarChart, PALETTE } from '../charts.js';
import { burnMeter } from './contracts.js';
import { careSummaryCard, loadCareSummary } from './care.js';

const RISK_COLOURS = { high: '#c0392b', medium: '#e0a030', low: '#3f9a6b' };
const STATUS_COLOURS = { open: '#e0823d', offered: '#7a62b3', matched: '#3f9a6b', closed: '#8a8a8a', cancelled: '#c4c4c4' };
const MEDIAN_SAMPLE = 20;

const inRegion = (code, region) => !region || (code ?? '').startsWith(region);

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Days from request to match. GET /api/needs has no matched time; a matched need's updatedAt (GET /api/needs/{id})
 * is when it was matched as long as nothing changed it since, so the most recent matched needs are read one by one.
 */
async function daysToMatch(needs) {
  const matched = needs.filter((n) => n.status === 'matched').sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, MEDIAN_SAMPLE);
  const details = await Promise.all(matched.map((n) => get(`/api/needs/${n.id}`).catch(() => null)));
  const days = details.filter(Boolean).map((n) => (new Date(n.updatedAt) - new Date(n.createdAt)) / 86_400_000).filter((d) => d >= 0);
  return { median: median(days), count: days.length, total: needs.filter((n) => n.status === 'matched').length };
}

function stat(key, value, note, { id, warn } = {}) {
  return h('div', { class: `stat ${warn ? 'stat-warn' : ''}`, 'data-stat': id ?? key },
    h('span', { class: 'stat-label' }, t(key)), h('span', { class: 'stat-value' }, value), note ? h('span', { class: 'stat-note' }, note) : null);
}

export async function dashboardPage(ctx) {
  const allRegions = await regions();
  const own = ctx.me.regionCode;
  const towns = allRegions.filter((r) => r.kind === 'town');
  const chosen = ctx.me.role === 'civil-affairs' && towns.some((r) => r.code === ctx.query.region) ? ctx.query.region : own;
  const scope = chosen === own ? '' : `regionCode=${encodeURIComponent(chosen)}`;
  const q = (path) => `${path}${scope ? `${path.includes('?') ? '&' : '?'}${scope}` : ''}`;
  const regionName = allRegions.find((r) => r.code === chosen)?.name ?? ctx.me.regionName ?? chosen;

  const [riskTotals, children, needs, overdue, backlog, concerns, contracts, lineName, lines, careSummary] = await Promise.all([
    Promise.all(['high', 'medium', 'low'].map((risk) => get(q(`/api/children?riskLevel=${risk}&pageSize=1`)).then((p) => [risk, p.total]))),
    allPages(q('/api/children'), 100, 5),
    get(q('/api/needs')),
    get(q('/api/followups/overdue')).catch(() => []),
    get(q('/api/followups/backlog')).catch(() => []),
    get('/api/concerns?status=open').catch(() => []),
    get('/api/contracts').catch(() => []),
    lineNames(),
    modules(),
    loadCareSummary(chosen === own ? null : chosen),
  ]);
  const matchTime = await daysToMatch(needs);
  const openConcerns = concerns.filter((c) => inRegion(c.villageCode, chosen));
  const risk = Object.fromEntries(riskTotals);
  const totalChildren = children.total;

  // ---- figures
  const categories = {};
  for (const child of children.items) categories[child.category] = (categories[child.category] || 0) + 1;
  const riskChart = donutChart({
    title: t('dash.byRisk'), centerLabel: t('dash.childrenUnit'),
    data: ['high', 'medium', 'low'].map((r) => ({ label: t(`risk.${r}`), value: risk[r] || 0, color: RISK_COLOURS[r] })),
  });
  const categoryChart = barChart({
    title: children.items.length < totalChildren ? t('dash.byCategoryPartial', { count: children.items.length }) : t('dash.byCategory'),
    data: ['left-behind', 'in-difficulty'].map((c, i) => ({ label: t(`category.${c}`), value: categories[c] || 0, color: PALETTE[i] })),
  });
  const statuses = ['open', 'offered', 'matched', 'closed', 'cancelled'];
  const needRows = lines.map((m) => ({ label: m.name, values: Object.fromEntries(statuses.map((s) => [s, needs.filter((n) => n.line === m.key && n.status === s).length])) }));
  for (const key of new Set(needs.map((n) => n.line))) {
    if (!lines.some((m) => m.key === key)) needRows.push({ label: lineName(key), values: Object.fromEntries(statuses.map((s) => [s, needs.filter((n) => n.line === key && n.status === s).length])) });
  }
  const needsChart = stackedBarChart({
    title: t('dash.needsByLine'), rows: needRows,
    series: statuses.map((s) => ({ key: s, label: t(`needStatus.${s}`), color: STATUS_COLOURS[s] })),
  });
  const backlogRows = backlog.filter((v) => inRegion(v.villageCode, chosen));
  const backlogChart = stackedBarChart({
    title: t('dash.backlog'), emptyText: t('dash.noBacklog'),
    rows: backlogRows.map((v) => ({ label: t('dash.villageLabel', { name: v.villageName, children: v.children, directors: v.directors.length }), values: { contacts: v.contactsOverdue, visits: v.visitsOverdue } })),
    series: [{ key: 'contacts', label: t('dash.contactsOverdue'), color: '#e0823d' }, { key: 'visits', label: t('dash.visitsOverdue'), color: '#b0476b' }],
  });

  const openNeeds = needs.filter((n) => n.status === 'open' || n.status === 'offered').length;
  const stats = h('div', { class: 'stats', id: 'dashboard-stats' },
    stat('dash.children', formatNumber(totalChildren), t('dash.highRiskNote', { count: formatNumber(risk.high || 0) }), { id: 'children' }),
    stat('dash.openNeeds', formatNumber(openNeeds), t('dash.matchedNote', { count: formatNumber(needs.filter((n) => n.status === 'matched').length) }), { id: 'open-needs' }),
    stat('dash.medianDays', matchTime.median === null ? '—' : formatNumber(matchTime.median, 1),
      matchTime.count ? t('dash.medianNote', { count: matchTime.count, total: matchTime.total }) : t('dash.medianNone'), { id: 'median-days' }),
    stat('dash.overdue', formatNumber(overdue.length), t('dash.overdueNote'), { id: 'overdue', warn: overdue.length > 0 }),
    stat('dash.concerns', formatNumber(openConcerns.length), t('dash.escalatedNote', { count: openConcerns.filter((c) => c.escalated).length }), { id: 'concerns', warn: openConcerns.length > 0 }));

  const regionPicker = ctx.me.role === 'civil-affairs' && towns.length ? h('nav', { class: 'filters', 'aria-label': t('dash.regionLabel') },
    [[own, ctx.me.regionName ?? own], ...towns.map((r) => [r.code, r.name])].map(([code, name]) => h('a', {
      href: `#/dashboard${code === own ? '' : `?region=${code}`}`, class: `chip ${code === chosen ? 'chip-on' : ''}`, 'aria-current': code === chosen ? 'true' : null,
    }, name))) : null;

  const overdueCard = card(t('dash.overdueTitle'), overdue.length ? h('ul', { class: 'rows', id: 'dash-overdue' }, overdue.slice(0, 10).map((o) => h('li', {},
    h('a', { href: `#/children/${o.childId}` }, `${o.familyName}${o.givenName}`), o.priority ? [' ', h('span', { class: 'badge badge-priority' }, t('dash.priority'))] : null,
    h('span', { class: 'muted small' }, ` ${[
      o.contactOverdueDays > 0 ? t('followup.contactOverdue', { days: Math.ceil(o.contactOverdueDays) }) : null,
      o.visitOverdueDays > 0 ? t('followup.visitOverdue', { days: Math.ceil(o.visitOverdueDays) }) : null,
    ].filter(Boolean).join('；')}`)))) : h('p', { class: 'ok' }, t('dash.noOverdue')), backlogChart);

  const concernsCard = card(t('dash.concernsTitle'), openConcerns.length ? h('ul', { class: 'rows', id: 'dash-concerns' }, openConcerns.slice(0, 10).map((c) => h('li', {},
    badge('concernKind', c.kind), ' ', badge('stage', c.stage), c.escalated ? [' ', badge('escalated', 'true')] : null,
    h('span', { class: 'muted small' }, ` ${fmt.dateTime(c.raisedAt)} · ${t('concern.policeDue', { at: fmt.dateTime(c.policeReportDueAt) })}`)))) : h('p', { class: 'ok' }, t('dash.noConcerns')),
  h('p', {}, h('a', { href: '#/concerns' }, t('dash.allConcerns'))));

  const contractsCard = card(t('dash.burnTitle'), contracts.length
    ? [h('div', { class: 'meters', id: 'dash-contracts' }, contracts.map((c) => h('div', {}, h('a', { href: `#/contracts/${c.id}`, class: 'meter-link' }, burnMeter(c, `${c.title} · ${c.organisationName}`))))), h('p', { class: 'small muted' }, t('contract.tickHint'))]
    : empty('contracts.none'));

  const matchingCard = ctx.me.role === 'civil-affairs' ? card(t('matching.title'), matchingForm(ctx, chosen === own ? null : chosen)) : null;

  return pageView(t('dash.title', { region: regionName }), { lead: t(`dash.lead.${ctx.me.role}`) },
    regionPicker, stats,
    h('div', { class: 'chart-grid', id: 'charts' },
      card(t('dash.childrenTitle'), h('div', { class: 'chart-pair' }, riskChart, categoryChart)),
      card(t('dash.needsTitle'), needsChart, h('p', { class: 'small muted' }, t('dash.medianExplain')))),
    h('div', { class: 'grid-2' }, h('div', {}, overdueCard, matchingCard), h('div', {}, concernsCard, contractsCard)),
    careSummaryCard(careSummary, (code) => allRegions.find((r) => r.code === code)?.name ?? code));
}

function matchingForm(ctx, regionCode) {
  const result = h('div', { class: 'matching-result', 'aria-live': 'polite', id: 'matching-result' });
  const form = new Form({
    submitLabel: t('matching.run'),
    onSubmit: async (values) => {
      const batches = await post('/api/matching/run', { line: values.line || null, regionCode });
      const lineName = await lineNames();
      notify(t('matching.done', { offers: batches.reduce((s, b) => s + b.offersMade, 0) }));
      result.replaceChildren(dataTable({
        headers: [t('needs.line'), t('matching.openNeeds'), t('matching.providers'), t('matching.offersMade')],
        rows: batches.map((b) => ({ cells: [lineName(b.line), formatNumber(b.openNeeds), formatNumber(b.providers), formatNumber(b.offersMade)] })),
      }));
    },
  });
  form.el.id = 'matching-form';
  modules().then((lines) => {
    const lineField = field({ name: 'line', label: t('matching.line'), kind: 'choice', options: lines.map((m) => [m.key, m.name]), hint: t('matching.lineHint') });
    form.fields.unshift(lineField);
    form.body.prepend(lineField.el);
  }).catch((error) => form.problem.replaceChildren(problemView(error)));
  return [h('p', { class: 'small muted' }, t('matching.lead')), form.el, result];
}
