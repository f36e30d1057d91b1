import { h } from '../dom.ts';
import { tValue } from '../i18n.ts';

export function severityBadge(severity: string, cvss?: number | null): HTMLElement {
  const score = typeof cvss === 'number' ? ` ${cvss.toFixed(1)}` : '';
  return h('span', { class: `badge sev-${severity}` }, tValue('severity', severity) + score);
}

export function confidenceBadge(confidence: string): HTMLElement {
  return h('span', { class: `badge conf-${confidence}` }, tValue('confidence', confidence));
}

export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge state-${state}` }, tValue('state', state));
}

export function chip(text: string, className = ''): HTMLElement {
  return h('span', { class: `chip ${className}`.trim() }, text);
}
