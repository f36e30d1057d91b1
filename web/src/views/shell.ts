// The frame around every signed-in page: brand, navigation, who is logged in, language and logout.
import { h } from '../dom.ts';
import { lang, setLang, t, tValue, type MessageKey } from '../i18n.ts';
import { href, type RouteName } from '../router.ts';
import { session } from '../session.ts';

const NAV: Array<[RouteName, MessageKey]> = [
  ['overview', 'nav.overview'],
  ['assets', 'nav.assets'],
  ['findings', 'nav.findings'],
  ['warnings', 'nav.warnings'],
  ['risk', 'nav.risk'],
  ['honeypot', 'nav.honeypot'],
  ['scans', 'nav.scans'],
];

export function languageToggle(): HTMLButtonElement {
  return h(
    'button',
    {
      class: 'btn ghost lang-toggle',
      testid: 'lang-toggle',
      title: t('header.languageTitle'),
      attrs: { type: 'button' },
      on: {
        click: () => {
          setLang(lang() === 'zh' ? 'en' : 'zh');
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        },
      },
    },
    t('header.language'),
  );
}

export function shell(active: RouteName, onLogout: () => void | Promise<void>): { frame: HTMLElement; main: HTMLElement } {
  const user = session.user();
  const main = h('main', { class: `content page-${active}`, testid: `page-${active}` });
  const frame = h(
    'div',
    { class: 'app-frame' },
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', attrs: { href: href('overview') } }, h('span', { class: 'logo' }), h('span', { class: 'brand-name' }, t('app.title'))),
      h(
        'nav',
        { class: 'nav', testid: 'nav' },
        NAV.map(([route, label]) =>
          h(
            'a',
            {
              class: route === active ? 'active' : undefined,
              testid: `nav-${route}`,
              attrs: route === active ? { href: href(route), 'aria-current': 'page' } : { href: href(route) },
            },
            t(label),
          ),
        ),
      ),
      h(
        'div',
        { class: 'user-box' },
        user
          ? h(
              'span',
              { class: 'user', testid: 'current-user' },
              h('span', { class: 'user-name' }, user.username),
              h('span', { class: 'user-role', testid: 'current-role' }, tValue('role', user.role)),
            )
          : null,
        languageToggle(),
        h('button', { class: 'btn ghost', testid: 'logout', attrs: { type: 'button' }, on: { click: () => void onLogout() } }, t('header.logout')),
      ),
    ),
    main,
  );
  return { frame, main };
}
