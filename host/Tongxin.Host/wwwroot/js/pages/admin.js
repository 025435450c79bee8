// The administrator sets up counties, organisations and accounts through the API; here they can check them.
import { t } from '../i18n.js';
import { get } from '../api.js';
import { h, pageView, card, empty } from '../ui.js';

export async function adminPage() {
  const [regions, organisations] = await Promise.all([get('/api/regions'), get('/api/organisations').catch(() => [])]);
  const byParent = new Map();
  for (const r of regions) byParent.set(r.parentCode ?? '', [...(byParent.get(r.parentCode ?? '') || []), r]);
  const tree = (parent) => {
    const children = byParent.get(parent) || [];
    return children.length ? h('ul', { class: 'tree' }, children.map((r) => h('li', {}, `${r.name}（${t(`regionKind.${r.kind}`)} ${r.code}）`, tree(r.code)))) : null;
  };
  const roots = regions.filter((r) => !r.parentCode || !regions.some((p) => p.code === r.parentCode));
  return pageView(t('admin.title'), { lead: t('admin.lead') },
    h('div', { class: 'grid-2' },
      card(t('admin.regions'), roots.length ? h('ul', { class: 'tree' }, roots.map((r) => h('li', {}, `${r.name}（${t(`regionKind.${r.kind}`)} ${r.code}）`, tree(r.code)))) : empty('admin.noRegions')),
      card(t('admin.organisations'), organisations.length ? h('ul', { class: 'rows' }, organisations.map((o) => h('li', {}, `${o.name} · ${t(`orgKind.${o.kind}`)}`))) : empty('admin.noOrganisations'))));
}
