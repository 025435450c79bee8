// Purchased services (政府购买服务): contracts, delivery reports (one at a time with an Idempotency-Key,
// or a CSV file, all or nothing), reconciliation and CSV exports. Civil affairs and supervisors read.
import { t, tOr, formatNumber, formatMoney } from '../i18n.js';
import { get, post, api, download, newIdempotencyKey } from '../api.js';
import { lineNames, regionNames } from '../state.js';
import { h, pageView, card, badge, empty, definitionList, dataTable, field, enumOptions, Form, fmt, button, notify, localDateTimeValue } from '../ui.js';
import { barChart, meter } from '../charts.js';

const UNIT_KINDS = ['session', 'hour', 'visit'];

export function elapsedShare(contract, now = Date.now()) {
  const start = new Date(`${contract.startsOn}T00:00:00+08:00`).getTime();
  const end = new Date(`${contract.endsOn}T23:59:59+08:00`).getTime();
  return end > start ? (now - start) / (end - start) : 0;
}

export function burnMeter(contract, label = contract.title) {
  return meter({
    label, value: contract.deliveredUnits, max: contract.units, elapsedShare: elapsedShare(contract),
    valueText: t('contract.burnValue', { delivered: formatNumber(contract.deliveredUnits), units: formatNumber(contract.units), kind: t(`unitKind.${contract.unitKind}`) }),
  });
}

export async function contractsPage(ctx) {
  const [contracts, lineName] = await Promise.all([get('/api/contracts'), lineNames()]);
  const sorted = [...contracts].sort((a, b) => b.startsOn.localeCompare(a.startsOn));
  return pageView(t('contracts.title'), { lead: t(`contracts.lead.${ctx.me.role}`) },
    sorted.length ? h('ul', { class: 'cards contract-list', id: 'contracts' }, sorted.map((c) => h('li', { class: 'card contract-card', 'data-contract-id': c.id },
      h('h2', {}, h('a', { href: `#/contracts/${c.id}` }, c.title)),
      h('p', { class: 'muted' }, [c.organisationName, lineName(c.line), `${fmt.date(c.startsOn)} – ${fmt.date(c.endsOn)}`].join(' · ')),
      burnMeter(c, t('contract.burn')),
      h('p', { class: 'small muted' }, t('contract.tickHint'))))) : empty('contracts.none'));
}

export async function contractPage(ctx) {
  const id = ctx.params.id;
  const [contract, reconciliation, deliveries, lineName, regionName] = await Promise.all([
    get(`/api/contracts/${id}`),
    get(`/api/contracts/${id}/reconciliation`),
    get(`/api/contracts/${id}/deliveries`).catch(() => []),
    lineNames(),
    regionNames(),
  ]);
  const reports = ctx.me.role === 'social-work-org';
  const kindLabel = t(`unitKind.${contract.unitKind}`);

  const summary = card(null,
    definitionList([
      [t('contract.organisation'), contract.organisationName],
      [t('contract.line'), lineName(contract.line)],
      [t('contract.period'), `${fmt.date(contract.startsOn)} – ${fmt.date(contract.endsOn)}`],
      [t('contract.regions'), contract.regionCodes.map(regionName).join('、')],
      [t('contract.unitPrice'), t('contract.unitPriceValue', { price: formatMoney(contract.unitPrice), kind: kindLabel })],
      [t('contract.funding'), tOr(`funding.${contract.fundingSource}`, contract.fundingSource)],
    ]),
    burnMeter(contract, t('contract.burn')));

  const numbers = h('div', { class: 'stats', id: 'reconciliation' }, [
    ['rec.contracted', formatNumber(reconciliation.contracted), formatMoney(reconciliation.contractedAmount)],
    ['rec.delivered', formatNumber(reconciliation.delivered), formatMoney(reconciliation.spent)],
    ['rec.remaining', formatNumber(reconciliation.remaining), formatMoney(reconciliation.remainingAmount)],
  ].map(([key, units, amount]) => h('div', { class: 'stat', 'data-stat': key },
    h('span', { class: 'stat-label' }, t(key)), h('span', { class: 'stat-value' }, units), h('span', { class: 'stat-note' }, `${kindLabel} · ${amount}`))));

  const byTown = reconciliation.byTown.length ? dataTable({
    headers: [t('rec.town'), t('rec.units'), t('rec.amount'), t('rec.children')],
    rows: reconciliation.byTown.map((r) => ({ cells: [r.townName, formatNumber(r.units), formatMoney(r.amount), formatNumber(r.children)] })),
  }) : empty('rec.noDeliveries');

  const byMonth = reconciliation.byMonth.length
    ? barChart({ title: t('rec.byMonth'), data: reconciliation.byMonth.map((m) => ({ label: m.month, value: m.units })) })
    : null;

  const flags = reconciliation.flags.length ? h('ul', { class: 'rows flags', id: 'flags' }, reconciliation.flags.map((f) => h('li', {},
    badge('flag', f.kind), ' ', f.message))) : h('p', { class: 'ok' }, t('rec.noFlags'));

  const downloads = h('div', { class: 'form-actions' },
    button(t('contract.downloadDeliveries'), () => download(`/api/contracts/${id}/deliveries.csv`, `deliveries-${id}.csv`).catch((e) => notify(e.detail || e.title || t('error.unexpected'))), { id: 'download-deliveries' }),
    button(t('contract.downloadReconciliation'), () => download(`/api/contracts/${id}/reconciliation.csv`, `reconciliation-${id}.csv`).catch((e) => notify(e.detail || e.title || t('error.unexpected'))), { id: 'download-reconciliation' }));

  const deliveriesTable = deliveries.length ? dataTable({
    id: 'deliveries',
    headers: [t('delivery.at'), t('delivery.child'), t('delivery.village'), t('delivery.units'), t('delivery.status')],
    rows: [...deliveries].sort((a, b) => b.at.localeCompare(a.at)).map((d) => ({
      attrs: { 'data-delivery-id': d.id },
      cells: [fmt.dateTime(d.at), h('span', { class: 'mono', title: d.childId }, d.childId.slice(-8)), regionName(d.villageCode), `${formatNumber(d.units)} ${t(`unitKind.${d.kind}`)}`, badge('deliveryStatus', d.status)],
    })),
  }) : empty('rec.noDeliveries');

  const forms = reports ? [card(t('delivery.reportTitle'), deliveryForm(ctx, contract).el), card(t('delivery.uploadTitle'), uploadForm(ctx, contract).el)] : [];

  return pageView(contract.title, { lead: t('contract.lead') },
    h('div', { class: 'grid-2' },
      h('div', {}, summary, card(t('rec.title'), numbers, byMonth, h('h3', {}, t('rec.byTown')), byTown, h('h3', {}, t('rec.flags')), flags, downloads)),
      h('div', {}, forms, card(t('delivery.list'), deliveriesTable))));
}

function deliveryForm(ctx, contract) {
  // One key per delivery being reported: a retry of the same submission (a lost answer) sends the same key
  // and the host answers the same delivery instead of writing a second one.
  let key = newIdempotencyKey();
  let lastBody = null;
  const form = new Form({
    submitLabel: t('delivery.submit'),
    onSubmit: async (values) => {
      const body = JSON.stringify(values);
      if (lastBody !== null && body !== lastBody) key = newIdempotencyKey();
      lastBody = body;
      const answer = await post(`/api/contracts/${contract.id}/deliveries`, values, { headers: { 'Idempotency-Key': key } });
      key = newIdempotencyKey();
      lastBody = null;
      notify(answer.replayed ? t('delivery.replayed') : t('delivery.saved'));
      await ctx.refresh();
    },
  });
  form.el.id = 'delivery-form';
  form.add(field({ name: 'childId', label: t('delivery.childId'), required: true, maxLength: 64, hint: t('delivery.childIdHint') }));
  form.row(
    field({ name: 'at', label: t('delivery.at'), kind: 'datetime', required: true, value: localDateTimeValue() }),
    field({ name: 'units', label: t('delivery.units'), kind: 'integer', required: true, min: 1, value: 1 }));
  form.add(
    field({ name: 'kind', label: t('delivery.kind'), kind: 'choice', required: true, options: enumOptions('unitKind', UNIT_KINDS), value: contract.unitKind }),
    field({ name: 'notes', label: t('delivery.notes'), kind: 'textarea', maxLength: 1000 }));
  return form;
}

function uploadForm(ctx, contract) {
  const result = h('div', { class: 'upload-result', 'aria-live': 'polite' });
  const form = new Form({
    submitLabel: t('upload.submit'),
    onSubmit: async (values, self) => {
      result.replaceChildren();
      const file = values._file;
      if (!file) {
        self.fields[0].setError([t('upload.noFile')]);
        return;
      }
      const text = await file.text();
      const answer = await api(`/api/contracts/${contract.id}/deliveries:bulk`, { method: 'POST', body: text, contentType: 'text/csv; charset=utf-8' });
      notify(t('upload.imported', { count: answer.imported }));
      await ctx.refresh();
    },
  });
  form.el.id = 'upload-form';
  const fileField = field({ name: '_file', label: t('upload.file'), kind: 'file', accept: '.csv,text/csv', hint: t('upload.hint') });
  // the file is read here, not by Form.values(), which leaves names starting with "_" out
  fileField.name = '_file';
  form.add(fileField, result);
  const values = form.values.bind(form);
  form.values = () => ({ ...values(), _file: fileField.read() });
  return form;
}

