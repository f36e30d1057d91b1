import { api } from '../api.ts';
import { errorMessage } from '../components/error-box.ts';
import { clear, h } from '../dom.ts';
import { t } from '../i18n.ts';
import { session } from '../session.ts';
import { languageToggle } from './shell.ts';
import type { ViewContext } from './view.ts';

export async function loginView({ root, params }: ViewContext): Promise<void> {
  const username = h('input', { testid: 'login-username', attrs: { name: 'username', autocomplete: 'username', required: '' } });
  const password = h('input', {
    testid: 'login-password',
    attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '' },
  });
  const message = h('div', { class: 'login-error', testid: 'login-error', attrs: { role: 'alert' } });
  const submit = h('button', { class: 'btn primary block', testid: 'login-submit', attrs: { type: 'submit' } }, t('login.submit'));

  const form = h(
    'form',
    { class: 'login-card', testid: 'login-form' },
    h('div', { class: 'login-brand' }, h('span', { class: 'logo' }), t('app.short')),
    h('h1', null, t('app.title')),
    h('p', { class: 'login-subtitle' }, t('login.subtitle')),
    h('label', null, h('span', null, t('login.username')), username),
    h('label', null, h('span', null, t('login.password')), password),
    message,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('login.busy');
    message.textContent = '';
    try {
      const result = await api.login(username.value.trim(), password.value);
      session.start(result.token, result.user);
      // Back to the page that sent us here, if any (only a page of this app, and never the login page again).
      const next = params.get('next');
      location.hash = next && next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/overview';
    } catch (e) {
      message.textContent = `${t('login.failed')}：${errorMessage(e)}`;
      submit.disabled = false;
      submit.textContent = t('login.submit');
      password.select();
    }
  });

  clear(root);
  root.append(h('div', { class: 'login-page' }, h('div', { class: 'login-lang' }, languageToggle()), form));
  username.focus();
}
