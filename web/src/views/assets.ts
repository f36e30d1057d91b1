import { api, type Asset } from '../api.ts';
import { chip } from '../components/badges.ts';
import { renderListPage } from '../components/list-page.ts';
import { h } from '../dom.ts';
import { formatTime, orDash } from '../format.ts';
import { t } from '../i18n.ts';
import { placeName, regionIndex, regionOptions } from '../regions.ts';
import { href } from '../router.ts';
import type { ViewContext } from './view.ts';

export async function assetsView({ root, params }: ViewContext): Promise<void> {
  const regions = await regionIndex().catch(() => new Map());
  await renderListPage<Asset>(root, params, {
    route: 'assets',
    testid: 'assets-table',
    title: 'nav.assets',
    filters: [
      { name: 'region', label: 'filter.region', kind: 'select', options: async () => regionOptions(regions) },
      {
        name: 'enterprise',
        label: 'filter.enterprise',
        kind: 'select',
        options: async () => (await api.enterprises({ pageSize: 100 })).items.map((e) => ({ value: e.id, label: e.name })),
      },
      { name: 'protocol', label: 'filter.protocol', kind: 'text', width: '8em' },
      { name: 'vendor', label: 'filter.vendor', kind: 'text', width: '9em' },
      { name: 'q', label: 'filter.q', kind: 'text', placeholder: 'filter.qPlaceholder', width: '14em' },
    ],
    load: (query) => api.assets(query),
    cursors: true,
    columns: [
      {
        label: 'col.ip',
        class: 'mono nowrap',
        cell: (a) => [
          a.ip,
          a.honeypot ? h('span', { class: 'badge honeypot', title: t('col.honeypot') }, t('badge.honeypot')) : null,
          a.findingCount > 0
            ? h('a', { class: 'badge sev-high finding-count', testid: 'asset-findings', attrs: { href: href('findings', { ip: a.ip }) } }, t('badge.findings', { n: a.findingCount }))
            : null,
        ],
      },
      { label: 'col.region', cell: (a) => placeName(regions, a.cityCode, a.countyCode, a.regionCode) },
      { label: 'col.enterprise', cell: (a) => orDash(a.enterpriseName) },
      {
        label: 'col.services',
        cell: (a) =>
          h(
            'span',
            { class: 'chips' },
            a.services.map((s) => chip(`${s.protocol}/${s.port}${s.transport === 'udp' ? '/udp' : ''}`)),
          ),
      },
      { label: 'col.vendor', cell: (a) => orDash(a.identity?.vendor) },
      {
        label: 'col.productModel',
        cell: (a) => orDash([a.identity?.product, a.identity?.model].filter(Boolean).join(' / ')),
      },
      { label: 'col.firmware', class: 'mono', cell: (a) => orDash(a.identity?.firmware) },
      { label: 'col.lastSeen', class: 'mono nowrap', cell: (a) => formatTime(a.lastSeen) },
    ],
  });
}
