import { api, type Finding } from '../api.ts';
import { chip, confidenceBadge, severityBadge } from '../components/badges.ts';
import { renderListPage } from '../components/list-page.ts';
import { h } from '../dom.ts';
import { tValue } from '../i18n.ts';
import { href } from '../router.ts';
import type { ViewContext } from './view.ts';

const CONFIDENCES = ['confirmed', 'likely', 'possible'];

export async function findingsView({ root, params }: ViewContext): Promise<void> {
  await renderListPage<Finding>(root, params, {
    route: 'findings',
    testid: 'findings-table',
    title: 'nav.findings',
    filters: [
      { name: 'ip', label: 'filter.ip', kind: 'text', width: '10em' },
      { name: 'cve', label: 'filter.cve', kind: 'text', width: '10em' },
      {
        name: 'confidence',
        label: 'filter.confidence',
        kind: 'select',
        options: async () => CONFIDENCES.map((c) => ({ value: c, label: tValue('confidence', c) })),
      },
    ],
    // The API takes CVE ids in their canonical upper case (CVE-2022-38465); people often type them lower.
    load: (query) => api.findings({ ...query, cve: typeof query.cve === 'string' ? query.cve.toUpperCase() : undefined }),
    columns: [
      { label: 'col.ip', class: 'mono', cell: (f) => h('a', { attrs: { href: href('assets', { q: f.ip }) } }, f.ip) },
      { label: 'col.port', class: 'num mono', cell: (f) => f.port ?? '—' },
      {
        label: 'col.advisory',
        cell: (f) => h('div', { class: 'advisory' }, h('span', { class: 'mono dim' }, f.advisoryId), f.advisoryTitle ? h('div', null, f.advisoryTitle) : null),
      },
      { label: 'col.cves', cell: (f) => h('span', { class: 'chips' }, f.cves.map((c) => chip(c, 'mono'))) },
      { label: 'col.severity', class: 'nowrap', cell: (f) => severityBadge(f.severity, f.cvss) },
      { label: 'col.confidence', class: 'nowrap', cell: (f) => confidenceBadge(f.confidence) },
      { label: 'col.reason', class: 'reason', cell: (f) => f.reason },
    ],
  });
}
