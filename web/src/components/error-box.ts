import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { t, tValue } from '../i18n.ts';

/** The error in the reader's language when its code is one we know; otherwise the server's own words. */
export function errorMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return `${t('error.generic')}: ${e instanceof Error ? e.message : String(e)}`;
  if (e.status === 0) return t('error.network');
  const known = tValue('error', e.code);
  return known === e.code ? `${t('error.generic')}: ${e.message} (${e.code})` : known;
}

export function errorBox(e: unknown): HTMLElement {
  return h('div', { class: 'error-box', testid: 'error', attrs: { role: 'alert' } }, errorMessage(e));
}
