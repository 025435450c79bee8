// Who looks after the child (委托照护, issue 19): the care arrangement on the child's file, the director's checks of it,
// and the list of children whose care is failing. Staff only: volunteers and organisations never see any of it.
import { t, tOr, formatNumber } from '../i18n.js';
import { get, post, put } from '../api.js';
import { h, card, badge, definitionList, field, enumOptions, Form, fmt, notify, localDateTimeValue } from '../ui.js';

const PRESENCE = ['away', 'at-home', 'deceased', 'unknown'];
const ABILITY = ['can-care', 'limited', 'cannot'];
const RELATIONS = ['grandmother', 'grandfather', 'aunt', 'uncle', 'adult-sibling', 'relative', 'neighbour', 'family-friend'];

export const reasonText = (reason) => t(`arrangement.failing.${reason}`);

/** The arrangement on the child's file; with the forms for the village's director. */
export function careCard(ctx, childId, care) {
  const isDirector = ctx.me.role === 'child-director';
  const parent = (p) => [t(`arrangement.presence.${p.presence}`), p.workPlace, p.phone].filter(Boolean).join(' · ');
  const failing = care.failing?.length ? h('div', { class: 'problem', role: 'status', id: 'care-failing' },
    h('strong', {}, t('arrangement.failingTitle')), h('ul', { class: 'plain' }, care.failing.map((r) => h('li', {}, reasonText(r))))) : null;
  const facts = care.recorded ? definitionList([
    [t('arrangement.father'), parent(care.father)],
    [t('arrangement.mother'), parent(care.mother)],
    [t('arrangement.carer'), care.carer ? [`${care.carer.familyName}${care.carer.givenName}（${tOr(`arrangement.relation.${care.carer.relation}`, care.carer.relation)}，${t('arrangement.age', { age: care.carer.age })}）`, ' ',
      badge('carerAbility', care.carer.ability ?? 'can-care'), care.carer.abilityNote ? h('span', { class: 'muted small' }, ` — ${care.carer.abilityNote}`) : null] : t('arrangement.noCarer')],
    [t('arrangement.agreement'), care.agreement ? t('arrangement.agreementText', { on: fmt.date(care.agreement.signedOn), by: care.agreement.signedBy, until: care.agreement.until ? fmt.date(care.agreement.until) : t('arrangement.noEnd') }) : h('span', { class: 'warn' }, t('arrangement.noAgreement'))],
    [t('arrangement.lastCheck'), care.lastCheck ? `${fmt.dateTime(care.lastCheck.at)}${care.lastCheck.agreementInPlace === false ? ` · ${t('arrangement.agreementGone')}` : ''}` : t('arrangement.neverChecked')],
  ]) : h('p', { class: 'muted' }, t('arrangement.notRecorded'));

  const tools = isDirector ? [
    h('details', { class: 'inline-form', id: 'care-edit', open: !care.recorded }, h('summary', {}, care.recorded ? t('arrangement.edit') : t('arrangement.record')), arrangementForm(ctx, childId, care).el),
    care.recorded ? h('details', { class: 'inline-form', id: 'care-check' }, h('summary', {}, t('arrangement.checkTitle')), checkForm(ctx, childId).el) : null,
  ] : null;
  return h('section', { class: `card ${care.failing?.length ? 'card-warning' : ''}`.trim(), id: 'care-card' },
    h('h2', {}, t('arrangement.title')), failing, facts, tools);
}

function arrangementForm(ctx, childId, care) {
  const form = new Form({
    submitLabel: t('arrangement.save'),
    onSubmit: async (values) => {
      const carer = values.carer.familyName || values.carer.givenName ? values.carer : null;
      const agreement = values.agreement.signedOn || values.agreement.signedBy ? values.agreement : null;
      const saved = await put(`/api/children/${childId}/care-arrangement`, { father: values.father, mother: values.mother, carer, agreement, version: care.version || null });
      notify(saved.failing.length ? t('arrangement.savedFailing') : t('arrangement.saved'));
      await ctx.refresh();
    },
  });
  form.el.id = 'care-form';
  const parentFields = (who, p) => [
    h('h3', { class: 'form-section' }, t(`arrangement.${who}`)),
    field({ name: `${who}.presence`, label: t('arrangement.presenceLabel'), kind: 'radio', options: enumOptions('arrangement.presence', PRESENCE), value: p?.presence ?? 'away', required: true }),
  ];
  form.add(parentFields('father', care.father));
  form.row(
    field({ name: 'father.workPlace', label: t('arrangement.workPlace'), maxLength: 100, value: care.father?.workPlace }),
    field({ name: 'father.phone', label: t('arrangement.phone'), maxLength: 30, value: care.father?.phone }));
  form.add(parentFields('mother', care.mother));
  form.row(
    field({ name: 'mother.workPlace', label: t('arrangement.workPlace'), maxLength: 100, value: care.mother?.workPlace }),
    field({ name: 'mother.phone', label: t('arrangement.phone'), maxLength: 30, value: care.mother?.phone }));
  form.add(h('h3', { class: 'form-section' }, t('arrangement.carer')), h('p', { class: 'small muted' }, t('arrangement.carerHint')));
  form.row(
    field({ name: 'carer.familyName', label: t('child.familyName'), maxLength: 50, value: care.carer?.familyName }),
    field({ name: 'carer.givenName', label: t('child.givenName'), maxLength: 50, value: care.carer?.givenName }));
  form.row(
    field({ name: 'carer.relation', label: t('arrangement.relationLabel'), kind: 'choice', options: enumOptions('arrangement.relation', RELATIONS), value: care.carer?.relation }),
    field({ name: 'carer.age', label: t('arrangement.ageLabel'), kind: 'integer', min: 18, max: 110, value: care.carer?.age }));
  form.add(
    field({ name: 'carer.ability', label: t('arrangement.abilityLabel'), kind: 'radio', options: enumOptions('carerAbility', ABILITY), value: care.carer?.ability ?? 'can-care' }),
    field({ name: 'carer.abilityNote', label: t('arrangement.abilityNote'), kind: 'textarea', maxLength: 500, value: care.carer?.abilityNote }),
    h('h3', { class: 'form-section' }, t('arrangement.agreement')));
  form.row(
    field({ name: 'agreement.signedOn', label: t('arrangement.signedOn'), kind: 'date', value: care.agreement?.signedOn }),
    field({ name: 'agreement.until', label: t('arrangement.until'), kind: 'date', value: care.agreement?.until }));
  form.add(field({ name: 'agreement.signedBy', label: t('arrangement.signedBy'), maxLength: 100, value: care.agreement?.signedBy }));
  return form;
}

function checkForm(ctx, childId) {
  const form = new Form({
    submitLabel: t('arrangement.checkSubmit'),
    onSubmit: async (values) => {
      const result = await post(`/api/children/${childId}/care-arrangement/checks`, values);
      notify(result.concernId ? t('arrangement.checkedConcern') : t('arrangement.checked'));
      await ctx.refresh();
    },
  });
  form.el.id = 'care-check-form';
  form.add(
    field({ name: 'at', label: t('arrangement.checkAt'), kind: 'datetime', value: localDateTimeValue() }),
    field({ name: 'agreementInPlace', label: t('arrangement.agreementInPlace'), kind: 'boolean', value: true }),
    field({ name: 'carerAbility', label: t('arrangement.abilityLabel'), kind: 'radio', options: enumOptions('carerAbility', ABILITY), value: 'can-care' }),
    field({ name: 'notes', label: t('arrangement.checkNotes'), kind: 'textarea', maxLength: 2000 }),
    field({ name: 'raiseConcern', label: t('arrangement.raiseConcern'), kind: 'boolean', hint: t('arrangement.raiseConcernHint') }));
  return form;
}

/** Children whose care is failing (a director's village, a supervisor's town), the gravest first. */
export function failingCareCard(list, regionName) {
  if (!list.length) return null;
  return h('section', { class: 'card card-warning', id: 'failing-care-card' },
    h('h2', {}, t('arrangement.failingListTitle', { count: formatNumber(list.length) })),
    h('ul', { class: 'plain' }, list.map((c) => h('li', { 'data-child-id': c.childId },
      h('a', { href: `#/children/${c.childId}` }, `${c.familyName}${c.givenName}`), ' ', badge('risk', c.riskLevel),
      regionName ? h('span', { class: 'muted small' }, ` ${regionName(c.villageCode)}`) : null,
      ' — ', c.reasons.map(reasonText).join('；')))));
}

/** Per village: children, arrangements recorded, failing (the dashboard's and the ledger's counts). */
export function careSummaryCard(rows, regionName) {
  if (!rows.length) return null;
  return card(t('arrangement.summaryTitle'), h('table', { class: 'table', id: 'care-summary' },
    h('thead', {}, h('tr', {}, [t('arrangement.village'), t('arrangement.children'), t('arrangement.recorded'), t('arrangement.failingCount'), t('arrangement.failing.no-agreement'), t('arrangement.failing.agreement-expired'), t('arrangement.failing.carer-unable')].map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.filter((r) => r.children > 0).map((r) => h('tr', { class: r.failing ? 'is-warning' : null },
      h('td', {}, regionName(r.villageCode)), ...[r.children, r.recorded, r.failing, r.noAgreement, r.agreementExpired + r.agreementLapsed, r.carerUnable].map((n) => h('td', { class: 'num' }, formatNumber(n))))))));
}

export const loadCare = (childId) => get(`/api/children/${childId}/care-arrangement`).catch(() => null);
export const loadFailing = () => get('/api/care/failing').catch(() => []);
export const loadCareSummary = (regionCode) => get(`/api/care/summary${regionCode ? `?regionCode=${regionCode}` : ''}`).catch(() => []);
