// The child director's pages (儿童主任): children, a child's file (一人一档), contacts, requesting help,
// needs and their matching. Supervisors and civil affairs read the same pages without the forms.
import { t, tOr, formatNumber } from '../i18n.js';
import { get, post, allPages } from '../api.js';
import { lineNames, moduleByKey, modules, regionNames } from '../state.js';
import { sendFieldRecord, waitingFor } from '../sync.js';
import { careCard as arrangementCard, failingCareCard, loadCare, loadFailing, reasonText } from './care.js';
import {
  h, pageView, card, badge, empty, definitionList, dataTable, field, enumOptions, moduleField, describeDetails, Form, fmt,
  link, button, notify, localDateTimeValue,
} from '../ui.js';

const RISKS = ['high', 'medium', 'low'];
export const childName = (child) => `${child.familyName ?? ''}${child.givenName ?? ''}`;
const isDirector = (ctx) => ctx.me.role === 'child-director';

async function overdueById() {
  const overdue = await get('/api/followups/overdue').catch(() => []);
  return new Map(overdue.map((o) => [o.childId, o]));
}

function overdueNotes(o) {
  if (!o) return [];
  const notes = [];
  if (o.contactOverdueDays > 0) notes.push(t('followup.contactOverdue', { days: formatNumber(Math.ceil(o.contactOverdueDays)) }));
  if (o.visitOverdueDays > 0) notes.push(t('followup.visitOverdue', { days: formatNumber(Math.ceil(o.visitOverdueDays)) }));
  return notes;
}

// ------------------------------------------------------------------ children list

export async function childrenPage(ctx) {
  const risk = RISKS.includes(ctx.query.risk) ? ctx.query.risk : '';
  const [{ items, total }, overdue, needs, regionName, failingCare] = await Promise.all([
    allPages(`/api/children${risk ? `?riskLevel=${risk}` : ''}`, 100, 5),
    overdueById(),
    get('/api/needs').catch(() => []),
    regionNames(),
    loadFailing(),
  ]);
  const failing = new Map(failingCare.map((f) => [f.childId, f]));
  const activeNeeds = new Map();
  for (const need of needs) if (['open', 'offered', 'matched'].includes(need.status)) activeNeeds.set(need.childId, (activeNeeds.get(need.childId) || 0) + 1);
  const order = { high: 0, medium: 1, low: 2 };
  // Failing care first (nobody is looking after them), then risk, then late contacts.
  const sorted = [...items].sort((a, b) => (failing.has(b.id) - failing.has(a.id)) || (order[a.riskLevel] - order[b.riskLevel])
    || (overdue.has(b.id) - overdue.has(a.id)) || childName(a).localeCompare(childName(b), 'zh'));

  const filters = h('nav', { class: 'filters', 'aria-label': t('children.filterLabel') },
    ['', ...RISKS].map((value) => h('a', {
      href: `#/children${value ? `?risk=${value}` : ''}`, class: `chip ${value === risk ? 'chip-on' : ''}`, 'aria-current': value === risk ? 'true' : null,
    }, value ? t(`risk.${value}`) : t('children.allRisks'))));

  const overdueList = [...overdue.values()];
  const overdueCard = overdueList.length ? h('section', { class: 'card card-warning', id: 'overdue-card' },
    h('h2', {}, t('children.overdueTitle', { count: overdueList.length })),
    h('ul', { class: 'plain' }, overdueList.map((o) => h('li', {},
      h('a', { href: `#/children/${o.childId}` }, `${o.familyName}${o.givenName}`), ' — ', overdueNotes(o).join('；'))))) : null;

  const list = sorted.length ? h('ul', { class: 'cards child-list', id: 'children-list' }, sorted.map((child) => {
    const o = overdue.get(child.id);
    return h('li', { class: `child-card ${o ? 'is-overdue' : ''}`, 'data-child-id': child.id },
      h('a', { href: `#/children/${child.id}`, class: 'child-link' },
        h('span', { class: 'child-name' }, childName(child)),
        badge('risk', child.riskLevel)),
      h('p', { class: 'muted' }, [
        t(`gender.${child.gender}`), t('children.age', { age: child.age }), t(`category.${child.category}`),
        ctx.me.role !== 'child-director' ? regionName(child.villageCode) : null,
      ].filter(Boolean).join(' · ')),
      activeNeeds.get(child.id) ? h('p', { class: 'small' }, t('children.activeNeeds', { count: activeNeeds.get(child.id) })) : null,
      failing.has(child.id) ? h('p', { class: 'warn care-note' }, failing.get(child.id).reasons.map(reasonText).join('；')) : null,
      o ? h('p', { class: 'overdue-note' }, overdueNotes(o).join('；')) : null);
  })) : empty('children.none');

  return pageView(t('children.title'), {
    actions: isDirector(ctx) ? [link(t('children.new'), '#/children/new', { kind: 'primary', id: 'new-child' })]
      : ['civil-affairs', 'supervisor'].includes(ctx.me.role) ? [link(t('roster.open'), '#/children/import', { kind: 'secondary', id: 'roster-import' })] : [],
    lead: total > items.length ? t('children.partial', { shown: items.length, total }) : t('children.count', { total }),
  }, failingCareCard(failingCare, ctx.me.role !== 'child-director' ? regionName : null), overdueCard, filters, list);
}

// ------------------------------------------------------------------ a child's file

export async function childPage(ctx) {
  const id = ctx.params.id;
  const [child, contacts, care, needs, overdue, lineName, regionName, waiting, arrangement] = await Promise.all([
    get(`/api/children/${id}`),
    get(`/api/children/${id}/contacts`).catch(() => []),
    get(`/api/children/${id}/care-record`).catch(() => ({ pairings: [], deliveries: [] })),
    get('/api/needs').catch(() => []),
    overdueById(),
    lineNames(),
    regionNames(),
    waitingFor(`/api/children/${id}/contacts`),
    loadCare(id),
  ]);
  const o = overdue.get(id);
  const childNeeds = needs.filter((n) => n.childId === id).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const consent = child.guardianConsent;

  const facts = card(null,
    h('div', { class: 'file-head' }, h('span', { class: 'child-name big' }, childName(child)), badge('risk', child.riskLevel)),
    o ? h('p', { class: 'overdue-note', id: 'child-overdue' }, overdueNotes(o).join('；')) : null,
    definitionList([
      [t('child.gender'), t(`gender.${child.gender}`)],
      [t('child.birthDate'), `${fmt.date(child.birthDate)}（${t('children.age', { age: child.age })}）`],
      [t('child.category'), t(`category.${child.category}`)],
      [t('child.village'), regionName(child.villageCode)],
      [t('child.guardianSituation'), child.guardianSituation],
      [t('child.priorityGroups'), child.priorityGroups?.length ? child.priorityGroups.map((g) => tOr(`priority.${g}`, g)).join('、') : t('common.none')],
      [t('child.consent'), consent ? t('child.consentBy', { by: consent.by, relation: tOr(`relation.${consent.relation}`, consent.relation), date: fmt.date(consent.recordedAt) }) : h('span', { class: 'warn' }, t('child.noConsent'))],
      [t('child.lastCall'), fmt.dateTime(child.lastCallAt)],
      [t('child.lastVisit'), fmt.dateTime(child.lastHomeVisitAt)],
    ]));

  const actions = isDirector(ctx) ? [
    link(t('child.requestHelp'), `#/children/${id}/request`, { kind: 'primary', id: 'request-help' }),
    link(t('child.raiseConcern'), `#/concerns/new?child=${id}`, { kind: 'danger', id: 'raise-concern' }),
  ] : [link(t('child.raiseConcern'), `#/concerns/new?child=${id}`, { kind: 'danger', id: 'raise-concern' })];

  const contactCard = isDirector(ctx) ? card(t('contact.logTitle'), contactForm(ctx, id, childName(child)).el) : null;

  const needsCard = card(t('child.needs'), childNeeds.length ? h('ul', { class: 'rows', id: 'child-needs' }, childNeeds.map((need) => h('li', { 'data-need-id': need.id },
    h('a', { href: `#/needs/${need.id}` }, lineName(need.line)), ' ', badge('needStatus', need.status), ' ',
    need.urgency === 'urgent' ? badge('urgency', 'urgent') : null,
    h('span', { class: 'muted small' }, ` ${fmt.date(need.createdAt)}`)))) : empty('child.noNeeds'));

  const careCard = card(t('care.title'),
    h('h3', {}, t('care.pairings')),
    care.pairings.length ? h('ul', { class: 'rows', id: 'care-pairings' }, care.pairings.map((p) => h('li', {},
      h('strong', {}, lineName(p.line)), ` · ${p.providerName} `, badge('pairingStatus', p.status),
      h('span', { class: 'muted small' }, ` ${t('care.since', { date: fmt.date(p.startedAt) })} · ${t('care.sessions', { count: p.sessions })}`)))) : empty('care.noPairings'),
    h('h3', {}, t('care.deliveries')),
    care.deliveries.length ? h('ul', { class: 'rows' }, care.deliveries.map((d) => h('li', {},
      h('strong', {}, d.contractTitle), ` · ${d.organisationName} · ${fmt.date(d.at)} · ${formatNumber(d.units)} ${t(`unitKind.${d.kind}`)}`,
      d.notes ? h('span', { class: 'muted small' }, ` — ${d.notes}`) : null))) : empty('care.noDeliveries'));

  // Contacts recorded out of signal show at once, marked as not yet sent.
  const listed = [...contacts, ...waiting.map((e) => ({ ...e.body, waiting: true }))];
  const contactsCard = card(t('contact.history'), listed.length ? h('ul', { class: 'rows', id: 'contacts' },
    listed.sort((a, b) => b.at.localeCompare(a.at)).map((c) => h('li', { class: c.waiting ? 'is-waiting' : null },
      badge('contactKind', c.kind), ` ${fmt.dateTime(c.at)}`, c.waiting ? [' ', h('span', { class: 'badge badge-waiting' }, t('queue.notSent'))] : null,
      c.notes ? h('span', { class: 'muted' }, ` — ${c.notes}`) : null))) : empty('contact.none'));

  return pageView(t('child.title'), { actions }, h('div', { class: 'grid-2' },
    h('div', {}, facts, arrangement ? arrangementCard(ctx, id, arrangement) : null, needsCard, careCard), h('div', {}, contactCard, contactsCard)));
}

function contactForm(ctx, childId, name) {
  const form = new Form({
    submitLabel: t('contact.submit'),
    onSubmit: async (values) => {
      const { queued } = await sendFieldRecord({ kind: 'contact', path: `/api/children/${childId}/contacts`, body: values, label: `${t(`contactKind.${values.kind}`)} · ${name}` });
      notify(queued ? t('queue.savedOffline') : t('contact.saved'));
      await ctx.refresh();
    },
  });
  form.el.id = 'contact-form';
  form.add(
    field({ name: 'kind', label: t('contact.kind'), kind: 'radio', options: enumOptions('contactKind', ['call', 'home-visit']), value: 'call' }),
    field({ name: 'at', label: t('contact.at'), kind: 'datetime', value: localDateTimeValue() }),
    field({ name: 'notes', label: t('contact.notes'), kind: 'textarea', maxLength: 2000 }));
  return form;
}

// ------------------------------------------------------------------ new child

export async function newChildPage(ctx) {
  const form = new Form({
    submitLabel: t('child.create'),
    onSubmit: async (values) => {
      const consent = values.guardianConsent;
      const body = {
        ...values,
        villageCode: ctx.me.regionCode,
        guardianConsent: consent.by || consent.relation ? consent : null,
      };
      const saved = await post('/api/children', body);
      notify(t('child.created'));
      ctx.navigate(`/children/${saved.id}`);
    },
  });
  form.el.id = 'child-form';
  form.row(
    field({ name: 'familyName', label: t('child.familyName'), required: true, maxLength: 50 }),
    field({ name: 'givenName', label: t('child.givenName'), required: true, maxLength: 50 }));
  form.add(
    field({ name: 'gender', label: t('child.gender'), kind: 'radio', options: enumOptions('gender', ['female', 'male']), required: true }),
    field({ name: 'birthDate', label: t('child.birthDate'), kind: 'date', required: true }),
    field({ name: 'category', label: t('child.category'), kind: 'choice', options: enumOptions('category', ['left-behind', 'in-difficulty']), required: true }),
    field({ name: 'riskLevel', label: t('child.riskLevel'), kind: 'choice', options: enumOptions('risk', ['low', 'medium', 'high']), required: true }),
    field({ name: 'guardianSituation', label: t('child.guardianSituation'), kind: 'textarea', required: true, maxLength: 500, hint: t('child.guardianSituationHint') }),
    field({ name: 'priorityGroups', label: t('child.priorityGroups'), kind: 'multi-choice', options: enumOptions('priority', ['disabled', 'psychological-problems', 'parents-disabled-or-ill', 'poor-family']) }),
    h('h2', { class: 'form-section' }, t('child.consentTitle')),
    h('p', { class: 'small muted' }, t('child.consentHint')),
    field({ name: 'guardianConsent.by', label: t('child.consentByLabel'), maxLength: 50 }),
    field({ name: 'guardianConsent.relation', label: t('child.consentRelation'), kind: 'choice', options: enumOptions('relation', ['grandmother', 'grandfather', 'mother', 'father', 'relative', 'entrusted-carer', 'other']) }),
    field({ name: 'guardianConsent.recordedAt', label: t('child.consentAt'), kind: 'datetime', value: localDateTimeValue() }));
  return pageView(t('child.newTitle'), { lead: t('child.newLead') }, card(null, form.el));
}

// ------------------------------------------------------------------ request help

export async function requestHelpPage(ctx) {
  const id = ctx.params.id;
  const [child, lines] = await Promise.all([get(`/api/children/${id}`), modules()]);
  const detailsBox = h('div', { class: 'line-fields', id: 'line-fields' });
  const form = new Form({
    submitLabel: t('need.submit'),
    onSubmit: async (values) => {
      const created = await post(`/api/children/${id}/needs`, { line: values.line, urgency: values.urgency, details: values.details ?? {} });
      notify(t('need.created'));
      ctx.navigate(`/needs/${created.id}`);
    },
  });
  form.el.id = 'need-form';
  const lineField = field({
    name: 'line', label: t('need.line'), kind: 'radio', required: true,
    options: lines.map((m) => [m.key, m.name]),
  });
  // each line's description under its name
  lineField.el.querySelectorAll('label.choice').forEach((label, i) => label.append(h('small', { class: 'choice-note' }, lines[i].description)));
  lineField.control.addEventListener('change', () => {
    const module = lines.find((m) => m.key === lineField.read());
    form.replaceGroup(detailsBox, 'details.', module ? module.needDetails.map((spec) => moduleField(spec, 'details')) : []);
    if (module) detailsBox.prepend(h('h2', { class: 'form-section' }, t('need.lineDetails', { line: module.name })));
  });
  form.add(
    lineField,
    detailsBox,
    field({ name: 'urgency', label: t('need.urgency'), kind: 'radio', options: enumOptions('urgency', ['normal', 'urgent']), value: 'normal', hint: t('need.urgencyHint') }));
  const consentWarning = child.guardianConsent ? null : h('div', { class: 'problem', role: 'note' }, t('need.noConsent'));
  return pageView(t('need.requestTitle', { name: childName(child) }), { lead: t('need.requestLead') }, consentWarning, card(null, form.el));
}

// ------------------------------------------------------------------ needs

export async function needsPage(ctx) {
  const status = ctx.query.status || '';
  const [needs, lineName, children] = await Promise.all([
    get(`/api/needs${status ? `?status=${encodeURIComponent(status)}` : ''}`),
    lineNames(),
    allPages('/api/children', 100, 5).then((r) => r.items).catch(() => []),
  ]);
  const names = new Map(children.map((c) => [c.id, childName(c)]));
  const filters = h('nav', { class: 'filters', 'aria-label': t('needs.filterLabel') },
    ['', 'open', 'offered', 'matched', 'closed', 'cancelled'].map((value) => h('a', {
      href: `#/needs${value ? `?status=${value}` : ''}`, class: `chip ${value === status ? 'chip-on' : ''}`, 'aria-current': value === status ? 'true' : null,
    }, value ? t(`needStatus.${value}`) : t('needs.all'))));
  const sorted = [...needs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const table = sorted.length ? dataTable({
    id: 'needs-table',
    headers: [t('needs.child'), t('needs.line'), t('needs.status'), t('needs.urgency'), t('needs.created')],
    rows: sorted.map((n) => ({
      attrs: { 'data-need-id': n.id },
      cells: [h('a', { href: `#/needs/${n.id}` }, names.get(n.childId) ?? t('needs.openNeed')), lineName(n.line), [badge('needStatus', n.status), n.escalation && n.escalation !== 'village' ? [' ', badge('escalationLevel', n.escalation, 'badge-escalated-true')] : null], badge('urgency', n.urgency), fmt.date(n.createdAt)],
    })),
  }) : empty('needs.none');
  return pageView(t('needs.title'), { lead: t('needs.lead') }, filters, card(null, table));
}

export async function needPage(ctx) {
  const need = await get(`/api/needs/${ctx.params.id}`);
  const [child, module, lineName, pairing] = await Promise.all([
    get(`/api/children/${need.childId}`).catch(() => null),
    moduleByKey(need.line),
    lineNames(),
    need.pairingId ? get(`/api/pairings/${need.pairingId}`).catch(() => null) : null,
  ]);
  const matched = need.status === 'matched' || !!need.matchedProviderName;
  const summary = card(null,
    h('div', { class: 'file-head' }, h('span', { class: 'big' }, lineName(need.line)), badge('needStatus', need.status, 'big-badge'),
      need.urgency === 'urgent' ? badge('urgency', 'urgent') : null),
    matched ? h('p', { class: 'matched', id: 'matched-provider' }, t('need.matchedWith', { name: need.matchedProviderName ?? pairing?.providerName ?? '' })) : null,
    !matched && ['open', 'offered'].includes(need.status) ? h('p', { class: 'muted' }, t(`need.explain.${need.status}`)) : null,
    definitionList([
      [t('needs.child'), child ? h('a', { href: `#/children/${child.id}` }, childName(child)) : '—'],
      ...describeDetails(module?.needDetails, need.details),
      [t('needs.created'), fmt.dateTime(need.createdAt)],
      [t('need.updated'), fmt.dateTime(need.updatedAt)],
      pairing ? [t('need.pairingSince'), `${fmt.date(pairing.startedAt)} · ${t('care.sessions', { count: pairing.sessions?.length ?? 0 })}`] : null,
    ]));

  const offers = card(t('need.offers'), need.offers.length ? h('ul', { class: 'rows', id: 'need-offers' }, need.offers.map((offer) => h('li', {},
    h('div', {}, h('strong', {}, offer.providerName), ' ', badge('offerStatus', offer.status), h('span', { class: 'muted small' }, ` ${t('offer.score', { score: offer.score })}`)),
    reasonsList(offer.reasons),
    offer.declineReason ? h('p', { class: 'small' }, t('offer.declinedBecause', { reason: offer.declineReason })) : null))) : empty('need.noOffers'));

  // cancelling a request and ending a pairing are rare and final: folded away until asked for
  const tools = [];
  if (isDirector(ctx) && ['open', 'offered'].includes(need.status)) tools.push(h('details', { class: 'card inline-form', id: 'need-cancel' }, h('summary', {}, t('need.cancelTitle')), reasonForm(t('need.cancel'), 'need-cancel-form', async (reason) => {
    await post(`/api/needs/${need.id}/cancel`, { reason });
    notify(t('need.cancelled'));
    await ctx.refresh();
  }).el));
  if (['child-director', 'civil-affairs'].includes(ctx.me.role) && pairing && pairing.status === 'active') tools.push(h('details', { class: 'card inline-form', id: 'pairing-end' }, h('summary', {}, t('pairing.endTitle')), reasonForm(t('pairing.end'), 'pairing-end-form', async (reason) => {
    await post(`/api/pairings/${pairing.id}/end`, { reason });
    notify(t('pairing.ended'));
    await ctx.refresh();
  }).el));

  return pageView(t('need.title'), { actions: [button(t('common.refresh'), () => ctx.refresh(), { id: 'refresh' })] }, summary, offers, tools);
}

export function reasonsList(reasons) {
  if (!reasons?.length) return null;
  const max = Math.max(...reasons.map((r) => Math.abs(r.points)), 1);
  return h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {},
    h('span', { class: 'reason-label' }, r.label),
    h('span', { class: 'reason-bar', 'aria-hidden': 'true' }, h('span', { style: `width:${Math.round((Math.abs(r.points) / max) * 100)}%` })),
    h('span', { class: 'reason-points' }, t('offer.points', { points: r.points > 0 ? `+${r.points}` : r.points })))));
}

/** A one-field form asking for a reason (declining, cancelling, ending). */
export function reasonForm(submitLabel, id, onReason) {
  const form = new Form({ submitLabel, onSubmit: (values) => onReason(values.reason) });
  form.el.id = id;
  form.add(field({ name: 'reason', label: t('common.reason'), kind: 'textarea', required: true, maxLength: 500 }));
  return form;
}

