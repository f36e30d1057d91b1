// Dashboard entry: picks the view for the address, keeps the session honest, and tidies up between pages.
import { api, setUnauthenticatedHandler } from './api.ts';
import { errorBox } from './components/error-box.ts';
import { clear } from './dom.ts';
import { lang, setLang, t } from './i18n.ts';
import { currentRoute, href, navigate, type RouteName } from './router.ts';
import { session } from './session.ts';
import { assetsView } from './views/assets.ts';
import { findingsView } from './views/findings.ts';
import { loginView } from './views/login.ts';
import { overviewView } from './views/overview.ts';
import { shell } from './views/shell.ts';
import type { Dispose, View } from './views/view.ts';
import { warningsView } from './views/warnings.ts';
import { riskView } from './views/risk.ts';
import { honeypotView } from './views/honeypot.ts';
import { scansView } from './views/scans.ts';

const VIEWS: Record<Exclude<RouteName, 'login'>, View> = {
  overview: overviewView,
  assets: assetsView,
  findings: findingsView,
  warnings: warningsView,
  risk: riskView,
  honeypot: honeypotView,
  scans: scansView,
};

const app = document.getElementById('app') as HTMLElement;
let dispose: Dispose | null = null;
let generation = 0;

async function logout(): Promise<void> {
  // Revoke the token on the server so a copy of it is useless; leave locally whatever the answer.
  await api.logout().catch(() => undefined);
  session.end();
  navigate('login');
}

async function render(): Promise<void> {
  const mine = ++generation;
  dispose?.();
  dispose = null;
  const route = currentRoute();
  document.title = `${t('app.title')} · ${t('app.short')}`;

  if (route.name === 'login') {
    clear(app);
    await loginView({ root: app, params: route.params });
    return;
  }
  if (!session.token()) {
    location.replace(href('login', { next: location.hash || undefined }));
    return;
  }
  if (!session.user()) {
    try {
      session.setUser(await api.me());
    } catch (e) {
      // A 401 has already sent us to the login page; anything else is shown where the page would be.
      if (mine === generation && session.token()) {
        clear(app);
        app.appendChild(errorBox(e));
      }
      return;
    }
    if (mine !== generation) return;
  }

  const { frame, main } = shell(route.name, logout);
  clear(app);
  app.appendChild(frame);
  const cleanup = await VIEWS[route.name]({ root: main, params: route.params });
  // The user may have moved on while the page loaded; its charts must not outlive it.
  if (mine === generation) dispose = cleanup ?? null;
  else cleanup?.();
}

setUnauthenticatedHandler(() => {
  if (currentRoute().name === 'login') return;
  session.end();
  location.replace(href('login'));
});

setLang(lang());
window.addEventListener('hashchange', () => void render());
void render();
