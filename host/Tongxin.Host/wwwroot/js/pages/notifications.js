// The inbox (every signed-in role) and the notification settings: what reached me, and how it should reach me.
import { t } from '../i18n.js';
import { get, post, put } from '../api.js';
import { h, pageView, card, button, link, empty, field, Form, fmt, notify } from '../ui.js';

const PAGE_SIZE = 20;

/** Refreshes the unread count in the top bar (hidden at 0); never fails a page. */
export async function refreshUnread() {
  const badge = document.getElementById('unread-count');
  if (!badge) return;
  try {
    const { unread } = await get('/api/notifications/unread-count');
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
    document.getElementById('inbox-link')?.setAttribute('aria-label', t('inbox.linkLabel', { count: unread }));
  } catch {
    badge.hidden = true;
  }
}

export async function inboxPage(ctx) {
  const unreadOnly = ctx.query.unread === 'true';
  const page = Math.max(1, Number(ctx.query.page) || 1);
  const data = await get(`/api/notifications?page=${page}&pageSize=${PAGE_SIZE}${unreadOnly ? '&unread=true' : ''}`);
  const query = (p, unread) => `/notifications?page=${p}${unread ? '&unread=true' : ''}`;

  const open = async (item) => {
    if (!item.readAt) await post(`/api/notifications/${item.id}/read`, {});
    await refreshUnread();
    ctx.navigate(item.link);
  };
  const items = data.items.map((item) => h('li', {
    class: `notification${item.readAt ? '' : ' unread'}`, 'data-notification': item.id, 'data-event': item.event,
  },
  h('a', {
    href: `#${item.link}`,
    onclick: (event) => { event.preventDefault(); open(item); },
  },
  item.readAt ? null : h('span', { class: 'unread-dot', 'aria-label': t('inbox.unread') }),
  h('span', { class: 'notification-text' }, item.text),
  h('span', { class: 'notification-time small muted' }, fmt.dateTime(item.createdAt)))));

  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const pager = pages > 1 ? h('nav', { class: 'pager', id: 'inbox-pager', 'aria-label': t('inbox.pages') },
    page > 1 ? link(t('inbox.previous'), `#${query(page - 1, unreadOnly)}`) : null,
    h('span', { class: 'small' }, t('inbox.pageOf', { page, pages })),
    page < pages ? link(t('inbox.next'), `#${query(page + 1, unreadOnly)}`) : null) : null;

  const actions = [
    link(unreadOnly ? t('inbox.showAll') : t('inbox.showUnread'), `#${query(1, !unreadOnly)}`, { id: 'inbox-filter' }),
    data.unread > 0 ? button(t('inbox.readAll'), async () => {
      await post('/api/notifications/read-all', {});
      notify(t('inbox.readAllDone'));
      await refreshUnread();
      await ctx.refresh();
    }, { id: 'inbox-read-all' }) : null,
    link(t('inbox.settings'), '#/notifications/settings', { id: 'inbox-settings' }),
  ];
  return pageView(t('inbox.title'), { actions, lead: t('inbox.lead', { unread: data.unread }) },
    card(null, items.length ? h('ul', { class: 'notifications', id: 'inbox-list' }, items) : empty(unreadOnly ? 'inbox.noneUnread' : 'inbox.none')),
    pager);
}

export async function settingsPage(ctx) {
  const settings = await get('/api/notifications/preferences');
  const form = new Form({
    submitLabel: t('inboxSettings.save'),
    onSubmit: async (values, f) => {
      const items = [...f.el.querySelectorAll('input[data-event]')].filter((box) => !box.disabled)
        .map((box) => ({ event: box.dataset.event, channel: box.dataset.channel, enabled: box.checked }));
      await put('/api/notifications/preferences', { items, phone: values.phone, email: values.email });
      notify(t('inboxSettings.saved'));
      await ctx.refresh();
    },
  });
  form.el.id = 'notification-settings';
  const failure = (text) => (text ? h('p', { class: 'problem', role: 'alert' }, t('inboxSettings.failed', { answer: text })) : null);
  const phone = field({ name: 'phone', label: t('inboxSettings.phone'), value: settings.phone ?? '', hint: t('inboxSettings.phoneHint'), autocomplete: 'tel' });
  const email = field({ name: 'email', label: t('inboxSettings.email'), value: settings.email ?? '', hint: t('inboxSettings.emailHint'), autocomplete: 'email' });
  form.add(phone, failure(settings.phoneFailure) && h('div', { id: 'phone-failure' }, failure(settings.phoneFailure)),
    email, failure(settings.emailFailure) && h('div', { id: 'email-failure' }, failure(settings.emailFailure)));

  const events = [...new Set(settings.items.map((item) => item.event))];
  const cell = (evt, channel) => {
    const item = settings.items.find((i) => i.event === evt && i.channel === channel);
    if (!item) return h('td', {});
    const id = `pref-${evt.replace(/\./g, '-')}-${channel}`;
    return h('td', { 'data-label': t(`inboxSettings.channel.${channel}`) },
      h('input', {
        type: 'checkbox', id, checked: item.enabled, disabled: item.locked, 'data-event': evt, 'data-channel': channel,
        'aria-label': `${item.label} · ${t(`inboxSettings.channel.${channel}`)}`, title: item.locked ? t('inboxSettings.locked') : null,
      }));
  };
  form.add(h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'preferences-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('inboxSettings.event')), settings.channels.map((c) => h('th', {}, t(`inboxSettings.channel.${c}`))))),
    h('tbody', {}, events.map((evt) => h('tr', { 'data-event': evt },
      h('th', { scope: 'row' }, settings.items.find((i) => i.event === evt).label),
      settings.channels.map((c) => cell(evt, c))))))),
  h('p', { class: 'small muted' }, t('inboxSettings.rules')));
  return pageView(t('inboxSettings.title'), { lead: t('inboxSettings.lead'), actions: [link(t('inboxSettings.back'), '#/notifications')] }, card(null, form.el));
}
