// Programme staff (妇联/团委): programmes with seats, volunteers and their vetting.
// Social-work organisations and civil affairs use the volunteers page too.
import { t, tOr, formatNumber } from '../i18n.js';
import { get, post, put } from '../api.js';
import { modules, regions, regionNames } from '../state.js';
import { h, pageView, card, badge, empty, definitionList, field, enumOptions, moduleField, describeDetails, Form, fmt, notify, localDateValue } from '../ui.js';
import { meter } from '../charts.js';

const SLOTS = ['weekday-afternoon', 'weekday-evening', 'weekend-morning', 'weekend-afternoon', 'weekend-evening', 'holiday'];

async function regionOptions() {
  // each town followed by its villages, a village named with its town ("双江街道 · 青龙社区")
  const list = await regions();
  const towns = list.filter((r) => r.kind === 'town');
  const villagesOf = (code) => list.filter((r) => r.kind === 'village' && r.parentCode === code);
  const options = towns.flatMap((town) => [[town.code, town.name], ...villagesOf(town.code).map((v) => [v.code, `${town.name} · ${v.name}`])]);
  const placed = new Set(options.map(([code]) => code));
  return [...options, ...list.filter((r) => r.kind === 'village' && !placed.has(r.code)).map((r) => [r.code, r.name])];
}

// ------------------------------------------------------------------ programmes

export async function programmesPage(ctx) {
  const [programmes, lines, regionName, options] = await Promise.all([get('/api/programmes'), modules(), regionNames(), regionOptions()]);
  const canPost = ctx.me.role === 'programme-owner';
  const mine = (p) => ctx.me.organisationId && p.organisationId === ctx.me.organisationId;
  const sorted = [...programmes].sort((a, b) => (mine(b) - mine(a)) || (b.open - a.open) || (a.startsOn ?? '').localeCompare(b.startsOn ?? ''));
  const lineOf = (key) => lines.find((m) => m.key === key);

  const list = sorted.length ? h('ul', { class: 'cards programme-list', id: 'programmes' }, sorted.map((p) => h('li', { class: 'card programme-card', 'data-programme-id': p.id },
    h('div', { class: 'file-head' }, h('h2', {}, p.title), badge('open', String(p.open)), mine(p) ? h('span', { class: 'badge badge-mine' }, t('programme.mine')) : null),
    h('p', { class: 'muted' }, [lineOf(p.line)?.name ?? p.line, p.regionCodes.map(regionName).join('、')].join(' · ')),
    meter({ label: t('programme.seats'), value: p.seatsTaken, max: p.seats, valueText: t('programme.seatsValue', { taken: formatNumber(p.seatsTaken), seats: formatNumber(p.seats) }) }),
    h('p', { class: 'waiting' }, t('programme.waiting', { count: formatNumber(p.waiting) })),
    definitionList([
      [t('programme.dates'), `${fmt.date(p.startsOn)} – ${fmt.date(p.endsOn)}`],
      p.ageMin != null || p.ageMax != null ? [t('programme.ages'), t('programme.agesValue', { min: p.ageMin ?? '—', max: p.ageMax ?? '—' })] : null,
      p.fundingSource ? [t('programme.funding'), p.fundingSource] : null,
      ...describeDetails(lineOf(p.line)?.providerOffer, p.details),
    ])))) : empty('programmes.none');

  let formCard = null;
  if (canPost) {
    const detailsBox = h('div', { class: 'line-fields', id: 'programme-line-fields' });
    const form = new Form({
      submitLabel: t('programme.submit'),
      onSubmit: async (values) => {
        await post('/api/programmes', { ...values, details: values.details ?? {} });
        notify(t('programme.created'));
        await ctx.refresh();
      },
    });
    form.el.id = 'programme-form';
    const lineField = field({ name: 'line', label: t('programme.line'), kind: 'choice', required: true, options: lines.map((m) => [m.key, m.name]) });
    lineField.control.addEventListener('change', () => {
      const module = lineOf(lineField.read());
      form.replaceGroup(detailsBox, 'details.', module ? module.providerOffer.map((spec) => moduleField(spec, 'details')) : []);
    });
    form.add(
      lineField,
      field({ name: 'title', label: t('programme.title'), required: true, maxLength: 200 }),
      detailsBox,
      field({ name: 'regionCodes', label: t('programme.regions'), kind: 'multi-choice', required: true, options }));
    form.row(
      field({ name: 'seats', label: t('programme.seats'), kind: 'integer', required: true, min: 1, max: 10000 }),
      field({ name: 'fundingSource', label: t('programme.funding'), required: true, maxLength: 200, hint: t('programme.fundingHint') }));
    form.row(
      field({ name: 'startsOn', label: t('programme.startsOn'), kind: 'date', required: true }),
      field({ name: 'endsOn', label: t('programme.endsOn'), kind: 'date', required: true }));
    form.row(
      field({ name: 'ageMin', label: t('programme.ageMin'), kind: 'integer', min: 0, max: 18 }),
      field({ name: 'ageMax', label: t('programme.ageMax'), kind: 'integer', min: 0, max: 18 }));
    formCard = card(t('programme.postTitle'), form.el);
  }

  return pageView(t('programmes.title'), { lead: t('programmes.lead') }, h('div', { class: canPost ? 'grid-2' : '' }, h('div', {}, list), formCard ? h('div', {}, formCard) : null));
}

// ------------------------------------------------------------------ volunteers

function vettingBadge(vetting) {
  if (!vetting || !vetting.status || vetting.status === 'none') return badge('vetting', 'none');
  if (vetting.status === 'passed' && !vetting.valid) return badge('vetting', 'expired');
  return badge('vetting', vetting.status);
}

export async function volunteersPage(ctx) {
  const [volunteers, lines, regionName, options] = await Promise.all([get('/api/volunteers'), modules(), regionNames(), regionOptions()]);
  const lineOf = (key) => lines.find((m) => m.key === key);
  const canVet = (v) => ctx.me.role === 'civil-affairs' || (v.organisationId && v.organisationId === ctx.me.organisationId);
  const sorted = [...volunteers].sort((a, b) => a.displayName.localeCompare(b.displayName, 'zh'));

  const vettingForm = (v) => {
    const form = new Form({
      submitLabel: t('vetting.submit'),
      onSubmit: async (values) => {
        await put(`/api/volunteers/${v.id}/vetting`, {
          ...values,
          checkedAt: values.checkedAt ? `${values.checkedAt}T00:00:00+08:00` : null,
          expiresAt: values.expiresAt ? `${values.expiresAt}T23:59:59+08:00` : null,
        });
        notify(t('vetting.saved'));
        await ctx.refresh();
      },
    });
    form.el.id = `vetting-form-${v.id}`;
    const nextYear = new Date();
    nextYear.setFullYear(nextYear.getFullYear() + 1);
    form.add(field({ name: 'status', label: t('vetting.status'), kind: 'radio', options: enumOptions('vetting', ['passed', 'failed']), required: true }));
    form.row(
      field({ name: 'checkedAt', label: t('vetting.checkedAt'), kind: 'date', value: localDateValue() }),
      field({ name: 'expiresAt', label: t('vetting.expiresAt'), kind: 'date', value: localDateValue(nextYear) }));
    form.add(field({ name: 'reference', label: t('vetting.reference'), maxLength: 100, hint: t('vetting.referenceHint') }));
    return form.el;
  };

  const list = sorted.length ? h('ul', { class: 'cards volunteer-list', id: 'volunteers' }, sorted.map((v) => h('li', { class: 'card volunteer-card', 'data-volunteer-id': v.id },
    h('div', { class: 'file-head' }, h('h2', {}, v.displayName), vettingBadge(v.vetting)),
    h('p', { class: 'muted' }, [t(`gender.${v.gender}`), regionName(v.regionCode), v.lines.map((l) => lineOf(l)?.name ?? l).join('、')].join(' · ')),
    meter({ label: t('volunteer.load'), value: v.committed, max: v.capacity }),
    definitionList([
      v.vetting?.expiresAt ? [t('vetting.expiresAt'), fmt.date(v.vetting.expiresAt)] : null,
      v.vetting?.reference ? [t('vetting.reference'), v.vetting.reference] : null,
      v.availability?.length ? [t('volunteer.availability'), v.availability.map((s) => tOr(`slot.${s}`, s)).join('、')] : null,
      ...v.lines.flatMap((l) => describeDetails(lineOf(l)?.providerOffer, v.skills?.[l]).map(([label, value]) => [`${lineOf(l)?.name ?? l}：${label}`, value])),
    ]),
    canVet(v) ? h('details', { class: 'inline-form' }, h('summary', {}, t('vetting.title')), vettingForm(v)) : null))) : empty('volunteers.none');

  let formCard = null;
  if (['programme-owner', 'social-work-org', 'civil-affairs'].includes(ctx.me.role)) {
    const skillsBox = h('div', { class: 'line-fields', id: 'volunteer-line-fields' });
    const form = new Form({
      submitLabel: t('volunteer.submit'),
      onSubmit: async (values) => {
        const created = await post('/api/volunteers', { ...values, skills: values.skills ?? {} });
        notify(t('volunteer.created'));
        await ctx.refresh();
        document.querySelector(`[data-volunteer-id="${created.id}"] details`)?.setAttribute('open', '');
      },
    });
    form.el.id = 'volunteer-form';
    const linesField = field({ name: 'lines', label: t('volunteer.lines'), kind: 'multi-choice', required: true, options: lines.map((m) => [m.key, m.name]) });
    linesField.control.addEventListener('change', () => {
      const chosen = linesField.read();
      const fields = chosen.flatMap((key) => lineOf(key).providerOffer.map((spec) => moduleField(spec, `skills.${key}`)));
      form.replaceGroup(skillsBox, 'skills.', fields);
      // a heading per line above its fields
      let index = 0;
      for (const key of chosen) {
        const count = lineOf(key).providerOffer.length;
        if (count) fields[index].el.before(h('h3', { class: 'form-section' }, lineOf(key).name));
        index += count;
      }
    });
    form.add(field({ name: 'displayName', label: t('volunteer.displayName'), required: true, maxLength: 100 }));
    form.row(
      field({ name: 'gender', label: t('child.gender'), kind: 'radio', required: true, options: enumOptions('gender', ['female', 'male']) }),
      field({ name: 'capacity', label: t('volunteer.capacity'), kind: 'integer', required: true, min: 1, max: 20, value: 1, hint: t('volunteer.capacityHint') }));
    form.add(
      field({ name: 'regionCode', label: t('volunteer.region'), kind: 'choice', required: true, options }),
      linesField,
      skillsBox,
      field({ name: 'availability', label: t('volunteer.availability'), kind: 'multi-choice', options: enumOptions('slot', SLOTS) }));
    formCard = card(t('volunteer.registerTitle'), form.el);
  }

  return pageView(t('volunteers.title'), { lead: t('volunteers.lead') }, h('div', { class: formCard ? 'grid-2' : '' }, h('div', {}, list), formCard ? h('div', {}, formCard) : null));
}
