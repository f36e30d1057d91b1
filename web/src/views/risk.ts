// Risk scores: the highest-scoring assets in scope, each with the factors that made its score, and
// the weights explained in words (src/services/risk.ts is the arithmetic).
import { api, type AssetRisk } from '../api.ts';
import { chip, severityBadge } from '../components/badges.ts';
import { renderListPage } from '../components/list-page.ts';
import { h } from '../dom.ts';
import { t, type MessageKey } from '../i18n.ts';
import { regionIndex, regionOptions } from '../regions.ts';
import { href } from '../router.ts';
import type { ViewContext } from './view.ts';

const WEIGHTS: [string, number][] = [['cvss', 45], ['knownExploited', 20], ['findings', 10], ['publicAddress', 10], ['unauthenticated', 10], ['icsServices', 5], ['confidence', 0], ['honeypot', 0]];
const factorLabel = (key: string) => t(`risk.factor.${key}` as MessageKey);

export async function riskView({ root, params }: ViewContext): Promise<void> {
  const regions = await regionIndex().catch(() => new Map());
  const explain = h(
    'section',
    { class: 'panel risk-explain', testid: 'risk-explain' },
    h('p', null, t('risk.explain')),
    h('table', { class: 'table compact' }, h('tbody', null, WEIGHTS.map(([key, weight]) => h('tr', null, h('td', null, factorLabel(key)), h('td', { class: 'num mono' }, weight ? String(weight) : '×'))))),
  );
  await renderListPage<AssetRisk>(root, params, {
    route: 'risk',
    testid: 'risk-table',
    title: 'nav.risk',
    filters: [{ name: 'region', label: 'filter.region', kind: 'select', options: async () => regionOptions(regions) }],
    load: async (query) => {
      const r = await api.riskAssets({ region: query.region, limit: 100 });
      return { items: r.items, total: r.items.length };
    },
    columns: [
      { label: 'col.ip', class: 'mono', cell: (a) => h('a', { attrs: { href: href('assets', { q: a.ip }) } }, a.ip) },
      { label: 'risk.col.score', class: 'num nowrap', cell: (a) => h('span', null, h('strong', { class: 'mono' }, String(a.score)), ' ', severityBadge(a.level, null)) },
      {
        label: 'risk.col.factors',
        cell: (a) =>
          h(
            'span',
            { class: 'chips' },
            a.factors.filter((f) => f.points > 0 || f.key === 'honeypot').map((f) => h('span', { title: f.detail }, chip(`${factorLabel(f.key)} ${f.points}/${f.weight}`))),
          ),
      },
    ],
  });
  root.append(explain);
}
