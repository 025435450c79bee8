// Sign in. The login answer has no role: GET /api/me tells who signed in and where their home page is.
import { t } from '../i18n.js';
import { post, session } from '../api.js';
import { h, field, Form } from '../ui.js';

export async function loginPage(ctx) {
  const form = new Form({
    submitLabel: t('login.submit'),
    onSubmit: async (values) => {
      const answer = await post('/api/auth/login', values);
      await ctx.signedIn(answer.accessToken);
      ctx.navigate(ctx.homeOf(session.me.role));
    },
  });
  form.el.id = 'login-form';
  form.add(
    field({ name: 'userName', label: t('login.userName'), autocomplete: 'username' }),
    field({ name: 'password', label: t('login.password'), kind: 'password', autocomplete: 'current-password' }));
  return h('section', { class: 'page page-login' },
    h('div', { class: 'login-panel' },
      h('h1', { id: 'page-title', tabindex: '-1' }, t('login.title')),
      h('p', { class: 'lead' }, t('login.lead')),
      form.el,
      h('p', { class: 'small muted' }, t('login.privacy'))));
}
