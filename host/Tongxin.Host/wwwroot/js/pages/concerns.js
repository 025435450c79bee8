// Safeguarding concerns (强制报告): raise one about a child; follow them. Staff record the steps of the
// chain discover → report to police → assess → refer → intervene → assist.
import { t } from '../i18n.js';
import { get, post, allPages } from '../api.js';
import { regionNames } from '../state.js';
import { h, pageView, card, badge, empty, definitionList, field, enumOptions, Form, fmt, notify, localDateTimeValue } from '../ui.js';
import { childName } from './director.js';

const KINDS = ['alone-without-guardian', 'missing', 'guardian-unable', 'suspected-violence', 'suspected-injury', 'other'];
const STEPS = ['reported-to-police', 'assessed', 'referred', 'intervened', 'assisted'];
const FILE_STAFF = ['child-director', 'supervisor', 'civil-affairs'];

/** The children the caller may raise a concern about: their files (staff) or their pairings (provider side). */
async function childChoices(me) {
  if (FILE_STAFF.includes(me.role)) {
    const { items } = await allPages('/api/children', 100, 5);
    return items.map((c) => [c.id, `${childName(c)}（${t('children.age', { age: c.age })}）`]);
  }
  const pairings = await get('/api/pairings?mine=true').catch(() => []);
  const seen = new Map();
  for (const p of pairings) if (p.status === 'active') seen.set(p.childId, `${p.child.givenName}（${t('children.age', { age: p.child.age })}）`);
  return [...seen.entries()];
}

export async function raiseConcernPage(ctx) {
  const choices = await childChoices(ctx.me);
  const preset = ctx.query.child;
  if (preset && !choices.some(([id]) => id === preset)) choices.unshift([preset, t('concern.thisChild')]);
  const form = new Form({
    submitLabel: t('concern.submit'),
    onSubmit: async (values) => {
      await post('/api/concerns', values);
      notify(t('concern.raised'));
      ctx.navigate('/concerns');
    },
  });
  form.el.id = 'concern-form';
  form.add(
    field({ name: 'childId', label: t('concern.child'), kind: 'choice', required: true, options: choices, value: preset }),
    field({ name: 'kind', label: t('concern.kind'), kind: 'radio', required: true, options: enumOptions('concernKind', KINDS) }),
    field({ name: 'details', label: t('concern.details'), kind: 'textarea', required: true, maxLength: 2000, rows: 4, hint: t('concern.detailsHint') }));
  return pageView(t('concern.title'), { lead: t('concern.lead') },
    h('div', { class: 'problem emergency', role: 'note' }, h('strong', {}, t('concern.emergency'))),
    card(null, form.el));
}

export async function concernsPage(ctx) {
  // /concerns/:id (a notification's link): that one concern, whatever its stage.
  const one = ctx.params.id;
  const open = !one && ctx.query.status !== 'all';
  const [concerns, regionName] = await Promise.all([
    one ? get(`/api/concerns/${encodeURIComponent(one)}`).then((c) => [c]) : get(`/api/concerns${open ? '?status=open' : ''}`),
    regionNames()]);
  const staff = FILE_STAFF.includes(ctx.me.role);
  const filters = h('nav', { class: 'filters', 'aria-label': t('concerns.filterLabel') },
    h('a', { href: '#/concerns', class: `chip ${open ? 'chip-on' : ''}`, 'aria-current': open ? 'true' : null }, t('concerns.open')),
    h('a', { href: '#/concerns?status=all', class: `chip ${!open ? 'chip-on' : ''}`, 'aria-current': !open ? 'true' : null }, t('concerns.all')));

  const stepForm = (concern) => {
    const form = new Form({
      submitLabel: t('concern.stepSubmit'),
      onSubmit: async (values) => {
        await post(`/api/concerns/${concern.id}/steps`, values);
        notify(t('concern.stepSaved'));
        await ctx.refresh();
      },
    });
    form.el.id = `step-form-${concern.id}`;
    form.add(field({ name: 'stage', label: t('concern.step'), kind: 'choice', required: true, options: enumOptions('stage', STEPS) }));
    form.row(
      field({ name: 'at', label: t('concern.stepAt'), kind: 'datetime', value: localDateTimeValue() }),
      field({ name: 'reference', label: t('concern.reference'), maxLength: 100, hint: t('concern.referenceHint') }));
    form.add(field({ name: 'notes', label: t('concern.notes'), kind: 'textarea', maxLength: 2000 }));
    return form.el;
  };

  const list = concerns.length ? h('ul', { class: 'cards concern-list', id: 'concerns' }, concerns.map((c) => h('li', { class: `card concern-card ${c.escalated ? 'is-overdue' : ''}`, 'data-concern-id': c.id },
    h('div', { class: 'file-head' }, badge('concernKind', c.kind), badge('stage', c.stage), c.escalated ? badge('escalated', 'true') : null),
    definitionList([
      [t('concern.raisedAt'), fmt.dateTime(c.raisedAt)],
      [t('concern.policeDueLabel'), c.reportedToPoliceAt ? t('concern.reportedAt', { at: fmt.dateTime(c.reportedToPoliceAt), reference: c.policeReference ?? '' }) : fmt.dateTime(c.policeReportDueAt)],
      staff && c.childId ? [t('concern.child'), h('a', { href: `#/children/${c.childId}` }, t('concern.openFile'))] : null,
      staff && c.villageCode ? [t('child.village'), regionName(c.villageCode)] : null,
      c.raisedByRole ? [t('concern.raisedBy'), t(`role.${c.raisedByRole}`)] : null,
      c.details ? [t('concern.details'), c.details] : null,
    ]),
    c.steps?.length ? h('ol', { class: 'steps' }, c.steps.map((s) => h('li', {}, badge('stage', s.step), ` ${fmt.dateTime(s.at)}`, s.reference ? ` · ${s.reference}` : '', s.notes ? h('span', { class: 'muted' }, ` — ${s.notes}`) : null))) : null,
    staff && c.stage !== 'assisted' ? h('details', { class: 'inline-form' }, h('summary', {}, t('concern.stepTitle')), stepForm(c)) : null))) : empty(open ? 'concerns.noneOpen' : 'concerns.none');

  return pageView(t('concerns.title'), {
    lead: t(staff ? 'concerns.leadStaff' : 'concerns.leadProvider'),
    actions: [h('a', { href: '#/concerns/new', class: 'btn btn-danger', id: 'new-concern' }, t('concern.title'))],
  }, one ? h('p', {}, h('a', { href: '#/concerns', id: 'all-concerns' }, t('concerns.open'))) : filters, list);
}
