import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import { t } from '../i18n.ts';

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? t('error.network') : `${t('error.generic')}: ${e.message} (${e.code})`;
  return `${t('error.generic')}: ${e instanceof Error ? e.message : String(e)}`;
}

export function errorBox(e: unknown): HTMLElement {
  return h('div', { class: 'error-box', testid: 'error', attrs: { role: 'alert' } }, errorMessage(e));
}
