// Accounts after they are made: civil affairs (its county) and the administrator list, deactivate, reactivate and
// reset them; every user changes their own password here, and must after a reset.
import { t } from '../i18n.js';
import { ApiError, get, post, put } from '../api.js';
import { importCard, rowErrors } from '../imports.js';
import { h, pageView, card, button, dataTable, empty, field, Form, notify, problemView, badge } from '../ui.js';

export async function usersPage(ctx) {
  const q = ctx.query.q || '';
  const { items: users, total } = await get(`/api/users?pageSize=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  // What the last action answered: a one-time password shown once, or the villages a deactivation left without a director.
  const notice = h('div', { id: 'users-notice', 'aria-live': 'polite' });

  const search = new Form({
    submitLabel: t('users.search'),
    onSubmit: async (values) => ctx.navigate(values.q ? `/users?q=${encodeURIComponent(values.q)}` : '/users'),
  });
  search.el.id = 'users-search';
  search.add(field({ name: 'q', label: t('users.query'), value: q, hint: t('users.queryHint') }));

  const act = async (user, action) => {
    notice.replaceChildren();
    try {
      const answer = await post(`/api/users/${user.id}/${action}`, {});
      if (action === 'password-reset') {
        notice.replaceChildren(h('div', { class: 'callout', role: 'status', id: 'temporary-password' },
          h('p', {}, t('users.resetDone', { user: user.userName })),
          h('p', { class: 'one-time' }, h('code', {}, answer.temporaryPassword)),
          h('p', { class: 'small' }, t('users.resetOnce'))));
        return;
      }
      if (action === 'deactivate' && answer.warning) {
        notice.replaceChildren(h('div', { class: 'problem', role: 'alert', id: 'deactivate-warning' }, answer.warning));
      }
      notify(t(`users.${action}Done`, { user: user.userName }));
      if (!answer.warning) await ctx.refresh();
    } catch (error) {
      notice.replaceChildren(problemView(error));
    }
  };

  const rows = users.map((user) => ({
    attrs: { 'data-user': user.userName },
    cells: [
      h('span', {}, user.displayName ? `${user.displayName}（${user.userName}）` : user.userName,
        // A number or address the SMS gateway or mail server refused: it needs fixing (issue 17).
        user.phoneFailure ? h('span', { class: 'badge badge-escalated-true contact-failure', 'data-failure': 'phone', title: user.phoneFailure }, t('users.phoneFailed')) : null,
        user.emailFailure ? h('span', { class: 'badge badge-escalated-true contact-failure', 'data-failure': 'email', title: user.emailFailure }, t('users.emailFailed')) : null),
      t(`role.${user.role}`),
      user.regionCode,
      badge('userStatus', user.active ? 'active' : 'inactive'),
      h('div', { class: 'row-actions' },
        user.id === ctx.me.userId ? null : [
          user.active
            ? button(t('users.deactivate'), () => act(user, 'deactivate'), { 'data-action': 'deactivate' })
            : button(t('users.reactivate'), () => act(user, 'reactivate'), { 'data-action': 'reactivate' }),
          button(t('users.reset'), () => act(user, 'password-reset'), { 'data-action': 'reset' }),
        ]),
    ],
  }));
  return pageView(t('users.title'), { lead: t('users.lead') },
    accountsImportCard(),
    search.el,
    notice,
    total > users.length ? h('p', { class: 'small muted', id: 'users-more' }, t('users.more', { shown: users.length, total })) : null,
    card(null, users.length
      ? dataTable({ id: 'users-table', headers: [t('users.userName'), t('users.role'), t('users.region'), t('users.status'), ''], rows })
      : empty('users.none')));
}

export async function passwordPage(ctx) {
  const form = new Form({
    submitLabel: t('password.submit'),
    onSubmit: async (values) => {
      if (values.newPassword !== values.repeat) {
        form.showError(new ApiError(400, { title: t('password.mismatchTitle'), errors: { repeat: [t('password.mismatch')] } }));
        return;
      }
      await put('/api/me/password', { currentPassword: values.currentPassword, newPassword: values.newPassword });
      // Every token of the user ended with the change, this one too: sign in again with the new password.
      ctx.signOut('password.changed');
    },
  });
  form.el.id = 'password-form';
  form.add(
    field({ name: 'currentPassword', label: t(ctx.me.mustChangePassword ? 'password.temporary' : 'password.current'), kind: 'password', autocomplete: 'current-password', required: true }),
    field({ name: 'newPassword', label: t('password.new'), kind: 'password', autocomplete: 'new-password', required: true, hint: t('password.hint') }),
    field({ name: 'repeat', label: t('password.repeat'), kind: 'password', autocomplete: 'new-password', required: true }));
  return pageView(t('password.title'), { lead: t(ctx.me.mustChangePassword ? 'password.mustLead' : 'password.lead') }, card(null, form.el));
}

/** Import the county's staff list (js/imports.js): each new account's one-time password shown once. */
function accountsImportCard() {
  return importCard({
    title: t('import.accountsTitle'),
    fileLabel: t('import.file'),
    hint: t('import.accountsHint'),
    url: '/api/users/import',
    template: { url: '/api/users/import/template', name: 'staff-template' },
    table: importTable,
    writes: (answer) => answer.new,
    applyLabel: (count) => t('import.apply', { count }),
  });
}

function importTable(answer) {
  const rows = answer.rows.map((row) => ({
    attrs: { 'data-row': row.row, 'data-status': row.status },
    cells: [
      String(row.row),
      row.name ?? '',
      row.phone ?? '',
      row.regionName ? `${row.regionName}（${row.regionCode}）` : '',
      row.role ? t(`role.${row.role}`) : '',
      h('div', {}, badge('importStatus', row.status),
        rowErrors(row),
        row.temporaryPassword ? h('p', { class: 'one-time' }, h('code', {}, row.temporaryPassword)) : null),
    ],
  }));
  const summary = t(answer.dryRun ? 'import.checked' : 'import.done', { new: answer.new, existing: answer.existing, errors: answer.errors });
  return h('div', {},
    h('p', { class: answer.errors ? 'problem' : 'small', role: answer.errors ? 'alert' : 'status', id: 'import-summary' }, summary),
    !answer.dryRun && answer.new > 0 ? h('p', { class: 'small' }, t('import.passwordsOnce')) : null,
    dataTable({ id: 'import-table', headers: [t('import.row'), t('import.name'), t('import.phone'), t('import.region'), t('users.role'), t('import.status')], rows }));
}
