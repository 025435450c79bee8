// The provider side (志愿者, and 妇联/团委/社工机构 for their organisation's volunteers and programmes):
// offers with their reasons, accept or decline, pairings and their sessions.
import { t, formatNumber } from '../i18n.js';
import { get, post } from '../api.js';
import { modules, lineNames } from '../state.js';
import { sendFieldRecord, waitingFor } from '../sync.js';
import { h, pageView, card, badge, empty, definitionList, field, describeDetails, Form, fmt, button, link, notify, localDateTimeValue, problemView } from '../ui.js';
import { reasonsList, reasonForm } from './director.js';

const childLine = (child) => [child.givenName, t('children.age', { age: child.age }), t(`gender.${child.gender}`)].join(' · ');

export async function offersPage(ctx) {
  const [offers, lines, lineName] = await Promise.all([get('/api/offers?mine=true'), modules(), lineNames()]);
  const specsOf = (key) => lines.find((m) => m.key === key)?.needDetails;
  const pending = offers.filter((o) => o.status === 'pending').sort((a, b) => b.score - a.score);
  const answered = offers.filter((o) => o.status !== 'pending').sort((a, b) => b.expiresAt.localeCompare(a.expiresAt));

  const offerCard = (offer) => {
    const problem = h('div', { class: 'form-problem', 'aria-live': 'assertive' });
    const declineBox = h('div', { class: 'decline-box', hidden: true });
    const accept = button(t('offer.accept'), async () => {
      accept.disabled = true;
      problem.replaceChildren();
      try {
        await post(`/api/offers/${offer.id}/accept`);
        notify(t('offer.accepted', { name: offer.child.givenName }));
        ctx.navigate('/pairings');
      } catch (error) {
        problem.replaceChildren(problemView(error));
        accept.disabled = false;
      }
    }, { kind: 'primary', class: 'btn btn-primary accept', 'data-offer-id': offer.id });
    const decline = button(t('offer.decline'), () => {
      declineBox.hidden = !declineBox.hidden;
      if (!declineBox.hidden) declineBox.querySelector('textarea')?.focus();
    }, { 'aria-expanded': 'false', class: 'btn btn-secondary decline' });
    decline.addEventListener('click', () => decline.setAttribute('aria-expanded', String(!declineBox.hidden)));
    declineBox.append(reasonForm(t('offer.declineConfirm'), `decline-form-${offer.id}`, async (reason) => {
      await post(`/api/offers/${offer.id}/decline`, { reason });
      notify(t('offer.declined'));
      await ctx.refresh();
    }).el);
    return h('li', { class: 'card offer-card', 'data-offer-id': offer.id, 'data-line': offer.line },
      h('div', { class: 'file-head' }, h('h2', {}, lineName(offer.line)), badge('offerStatus', offer.status)),
      h('p', { class: 'offer-child' }, childLine(offer.child)),
      definitionList([
        ctx.me.role !== 'volunteer' ? [t('offer.provider'), offer.providerName] : null,
        ...describeDetails(specsOf(offer.line), offer.details),
        [t('offer.expires'), fmt.dateTime(offer.expiresAt)],
      ]),
      h('h3', {}, t('offer.why', { score: formatNumber(offer.score) })),
      reasonsList(offer.reasons),
      offer.status === 'pending' ? [problem, h('div', { class: 'form-actions' }, accept, decline), declineBox] : null);
  };

  return pageView(t('offers.title'), { lead: t(`offers.lead.${ctx.me.role}`), actions: [button(t('common.refresh'), () => ctx.refresh(), { id: 'refresh' })] },
    pending.length ? h('ul', { class: 'cards offer-list', id: 'offers-pending' }, pending.map(offerCard)) : empty('offers.none'),
    answered.length ? h('details', { class: 'history' }, h('summary', {}, t('offers.history', { count: answered.length })),
      h('ul', { class: 'cards offer-list' }, answered.map(offerCard))) : null);
}

export async function pairingsPage(ctx) {
  const [pairings, lines, lineName] = await Promise.all([get('/api/pairings?mine=true'), modules(), lineNames()]);
  const specsOf = (key) => lines.find((m) => m.key === key)?.needDetails;
  const sorted = [...pairings].sort((a, b) => (a.status === 'active' ? -1 : 1) - (b.status === 'active' ? -1 : 1) || b.startedAt.localeCompare(a.startedAt));
  // Sessions recorded out of signal show at once, marked as not yet sent.
  const waiting = await Promise.all(sorted.map((p) => waitingFor(`/api/pairings/${p.id}/sessions`)));

  const pairingCard = (p, index) => {
    const sessions = [...(p.sessions || []), ...waiting[index].map((e) => ({ ...e.body, waiting: true }))].sort((a, b) => b.at.localeCompare(a.at));
    const form = new Form({
      submitLabel: t('session.submit'),
      onSubmit: async (values) => {
        const { queued } = await sendFieldRecord({ kind: 'session', path: `/api/pairings/${p.id}/sessions`, body: values, label: `${t('queue.kind.session')} · ${p.child.givenName}` });
        notify(queued ? t('queue.savedOffline') : t('session.saved'));
        await ctx.refresh();
      },
    });
    form.el.id = `session-form-${p.id}`;
    form.el.classList.add('session-form');
    form.row(
      field({ name: 'at', label: t('session.at'), kind: 'datetime', value: localDateTimeValue() }),
      field({ name: 'minutes', label: t('session.minutes'), kind: 'integer', min: 1, max: 1440, value: 60 }));
    form.add(field({ name: 'notes', label: t('session.notes'), kind: 'textarea', maxLength: 2000 }));
    return h('li', { class: 'card pairing-card', 'data-pairing-id': p.id },
      h('div', { class: 'file-head' }, h('h2', {}, lineName(p.line)), badge('pairingStatus', p.status)),
      h('p', { class: 'offer-child' }, childLine(p.child)),
      definitionList([
        ctx.me.role !== 'volunteer' ? [t('offer.provider'), p.providerName] : null,
        ...describeDetails(specsOf(p.line), p.details),
        [t('pairing.since'), fmt.date(p.startedAt)],
        p.endedAt ? [t('pairing.endedAt'), `${fmt.date(p.endedAt)}${p.endReason ? ` — ${p.endReason}` : ''}`] : null,
      ]),
      h('h3', {}, t('pairing.sessions', { count: sessions.length })),
      sessions.length ? h('ul', { class: 'rows sessions' }, sessions.map((s) => h('li', { class: s.waiting ? 'is-waiting' : null },
        `${fmt.dateTime(s.at)} · ${t('session.minutesValue', { minutes: s.minutes })}`,
        s.waiting ? [' ', h('span', { class: 'badge badge-waiting' }, t('queue.notSent'))] : null,
        s.notes ? h('span', { class: 'muted' }, ` — ${s.notes}`) : null))) : empty('pairing.noSessions'),
      p.status === 'active' ? [
        h('details', { class: 'inline-form', open: sessions.length === 0 }, h('summary', {}, t('session.logTitle')), form.el),
        h('div', { class: 'form-actions' }, link(t('child.raiseConcern'), `#/concerns/new?child=${p.childId}`, { kind: 'danger' })),
        h('details', { class: 'inline-form' }, h('summary', {}, t('pairing.endTitle')), reasonForm(t('pairing.end'), `end-form-${p.id}`, async (reason) => {
          await post(`/api/pairings/${p.id}/end`, { reason });
          notify(t('pairing.ended'));
          await ctx.refresh();
        }).el),
      ] : null);
  };

  return pageView(t('pairings.title'), { lead: t('pairings.lead') },
    sorted.length ? h('ul', { class: 'cards pairing-list', id: 'pairings' }, sorted.map(pairingCard)) : empty('pairings.none'));
}
