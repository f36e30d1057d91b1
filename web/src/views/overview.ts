import { api, type FeatureCollection, type Overview } from '../api.ts';
import { echarts, PALETTE } from '../charts.ts';
import { errorBox, errorMessage } from '../components/error-box.ts';
import { clear, h } from '../dom.ts';
import { formatCount, formatTime } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { href, navigate } from '../router.ts';
import type { Dispose, ViewContext } from './view.ts';

type City = Overview['cities'][number];

const MAP_NAME = 'otscope-city';
const TOTALS: Array<[keyof Overview['totals'], MessageKey, string]> = [
  ['assets', 'totals.assets', 'tone-blue'],
  ['vulnerableAssets', 'totals.vulnerableAssets', 'tone-orange'],
  ['findings', 'totals.findings', 'tone-red'],
  ['events', 'totals.events', 'tone-purple'],
  ['enterprises', 'totals.enterprises', 'tone-cyan'],
  ['openWarnings', 'totals.openWarnings', 'tone-yellow'],
];
const TOP_N = 10;
// A wall screen stays on this page for hours; it re-reads the statistics on its own.
const REFRESH_MS = 60_000;

let registered: FeatureCollection | null = null;

export async function overviewView({ root }: ViewContext): Promise<Dispose | void> {
  clear(root);
  root.appendChild(h('div', { class: 'loading' }, t('table.loading')));
  let stats: Overview;
  let geo: FeatureCollection;
  try {
    [stats, geo] = await Promise.all([api.overview(), registered ? Promise.resolve(registered) : api.geo('city')]);
  } catch (e) {
    clear(root);
    root.appendChild(errorBox(e));
    return;
  }
  if (registered !== geo) {
    // ECharts' GeoJSON type is stricter than the API's; the server sends standard FeatureCollections.
    echarts.registerMap(MAP_NAME, geo as unknown as Parameters<typeof echarts.registerMap>[1]);
    registered = geo;
  }

  const totals = h('div', { class: 'totals', testid: 'totals' });
  const updated = h('span', { class: 'panel-note', testid: 'updated' });
  const cities = h('div', { class: 'city-table-wrap' });
  const mapEl = h('div', { class: 'chart', testid: 'city-map' });
  const protocolEl = h('div', { class: 'chart', testid: 'protocol-chart' });
  const vendorEl = h('div', { class: 'chart', testid: 'vendor-chart' });

  clear(root);
  root.appendChild(
    h(
      'div',
      { class: 'overview', testid: 'overview' },
      totals,
      h(
        'div',
        { class: 'overview-grid' },
        h('section', { class: 'panel area-protocols' }, h('h2', { class: 'panel-title' }, t('overview.protocols')), protocolEl),
        h('section', { class: 'panel area-vendors' }, h('h2', { class: 'panel-title' }, t('overview.vendors')), vendorEl),
        h('section', { class: 'panel area-map' }, h('h2', { class: 'panel-title' }, t('overview.map'), updated), mapEl),
        h('section', { class: 'panel area-cities' }, h('h2', { class: 'panel-title' }, t('overview.cities')), cities),
      ),
    ),
  );

  const map = echarts.init(mapEl, null, { renderer: 'svg' });
  const protocols = echarts.init(protocolEl, null, { renderer: 'svg' });
  const vendors = echarts.init(vendorEl, null, { renderer: 'svg' });
  map.on('click', (p) => {
    const row = (p.data as { row?: City } | undefined)?.row;
    if (row) navigate('assets', { region: row.code });
  });

  const show = (next: Overview) => {
    const rows = cityRows(next, geo);
    clear(totals);
    totals.append(...totalCards(next));
    clear(cities);
    cities.appendChild(cityTable(rows));
    map.setOption(mapOption(rows, geo));
    protocols.setOption(barOption(next.protocols.map((p) => [p.protocol, p.assets]), PALETTE.accent));
    vendors.setOption(barOption(next.vendors.map((v) => [v.vendor, v.assets]), '#ffb74d'));
    emptyNote(protocolEl, next.protocols.length === 0);
    emptyNote(vendorEl, next.vendors.length === 0);
    updated.textContent = `${t('overview.updated')} ${formatTime(new Date().toISOString())} (${t('time.zone')})`;
    updated.classList.remove('stale');
    updated.title = '';
  };
  show(stats);

  const timer = setInterval(() => {
    api.overview().then(show, (e: unknown) => {
      // Keep the last good picture on the wall, but say it is old.
      updated.classList.add('stale');
      updated.title = errorMessage(e);
    });
  }, REFRESH_MS);
  // ECharts' map cannot invert a zero-size view and throws; a window squeezed to nothing (or a hidden panel)
  // keeps the last drawing until there is room again.
  const onResize = () =>
    [map, protocols, vendors].forEach((c) => {
      const box = c.getDom().getBoundingClientRect();
      if (box.width > 0 && box.height > 0) c.resize();
    });
  window.addEventListener('resize', onResize);
  return () => {
    clearInterval(timer);
    window.removeEventListener('resize', onResize);
    [map, protocols, vendors].forEach((c) => c.dispose());
  };
}

function totalCards(stats: Overview): HTMLElement[] {
  return TOTALS.map(([field, label, tone]) =>
    h(
      'div',
      { class: `total-card ${tone}`, testid: `total-${field}` },
      h('div', { class: 'total-label' }, t(label)),
      h('div', { class: 'total-value' }, formatCount(stats.totals[field])),
    ),
  );
}

/** Every city of the region pack, even those with nothing exposed yet, in code order. */
function cityRows(stats: Overview, geo: FeatureCollection): City[] {
  const byCode = new Map(stats.cities.map((c) => [c.code, c]));
  const rows = geo.features.map(
    (f) => byCode.get(f.properties.adcode) ?? { code: f.properties.adcode, name: f.properties.name, assets: 0, vulnerableAssets: 0, events: 0 },
  );
  for (const c of stats.cities) if (!rows.some((r) => r.code === c.code)) rows.push(c);
  return rows.sort((a, b) => a.code.localeCompare(b.code));
}

function cityTable(rows: City[]): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.assets));
  return h(
    'table',
    { class: 'data-table compact', testid: 'city-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('col.city')),
        h('th', { class: 'num' }, t('col.assets')),
        h('th', { class: 'num' }, t('col.vulnerableAssets')),
        h('th', { class: 'num' }, t('col.events')),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          {
            testid: 'city-row',
            class: 'clickable',
            attrs: { 'data-code': r.code },
            // The whole row is a target for the mouse; the city name's link (keyboard, new tab) handles its own clicks.
            on: {
              click: (e) => {
                if (!(e.target as Element).closest('a')) navigate('assets', { region: r.code });
              },
            },
          },
          h('td', { class: 'city-name' }, h('a', { attrs: { href: href('assets', { region: r.code }) } }, r.name)),
          h(
            'td',
            { class: 'num' },
            h('span', { class: 'bar-track' }, h('span', { class: 'bar', style: `width:${Math.round((r.assets / max) * 100)}%` })),
            h('span', { class: 'bar-value' }, formatCount(r.assets)),
          ),
          h('td', { class: `num ${r.vulnerableAssets > 0 ? 'warn' : ''}` }, formatCount(r.vulnerableAssets)),
          h('td', { class: 'num' }, formatCount(r.events)),
        ),
      ),
    ),
  );
}

function mapOption(rows: City[], geo: FeatureCollection) {
  // ECharts joins data to regions by the feature's `name` property, so use the GeoJSON's spelling.
  const nameOf = new Map(geo.features.map((f) => [f.properties.adcode, f.properties.name]));
  const max = Math.max(1, ...rows.map((r) => r.assets));
  return {
    animationDuration: 400,
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; data?: { row: City } }) => {
        const r = p.data?.row;
        if (!r) return p.name;
        return `<b>${r.name}</b><br/>${t('col.assets')}: ${formatCount(r.assets)}<br/>${t('col.vulnerableAssets')}: ${formatCount(r.vulnerableAssets)}<br/>${t('col.events')}: ${formatCount(r.events)}`;
      },
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max,
      left: 12,
      bottom: 12,
      calculable: true,
      itemHeight: 110,
      inRange: { color: PALETTE.scale },
      textStyle: { color: PALETTE.text },
    },
    series: [
      {
        type: 'map',
        map: MAP_NAME,
        roam: false,
        layoutCenter: ['50%', '50%'],
        layoutSize: '95%',
        selectedMode: false,
        label: { show: true, color: '#ffffff', fontSize: 12, textBorderColor: '#061223', textBorderWidth: 2 },
        itemStyle: { borderColor: '#6fb7ff', borderWidth: 1, areaColor: PALETTE.scale[0] },
        emphasis: { label: { color: '#ffffff' }, itemStyle: { areaColor: PALETTE.accent } },
        data: rows.map((r) => ({ name: nameOf.get(r.code) ?? r.name, value: r.assets, row: r })),
      },
    ],
  };
}

function barOption(pairs: Array<[string, number]>, color: string) {
  const top = [...pairs].sort((a, b) => b[1] - a[1]).slice(0, TOP_N);
  return {
    animationDuration: 400,
    grid: { left: 8, right: 40, top: 8, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', axisLabel: { color: PALETTE.dim }, splitLine: { lineStyle: { color: PALETTE.line } }, minInterval: 1 },
    yAxis: {
      type: 'category',
      inverse: true,
      data: top.map(([name]) => name),
      axisLabel: { color: PALETTE.text, width: 110, overflow: 'truncate' },
      axisLine: { lineStyle: { color: PALETTE.line } },
    },
    series: [
      {
        type: 'bar',
        data: top.map(([, value]) => value),
        barMaxWidth: 14,
        itemStyle: { color, borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', color: PALETTE.text },
      },
    ],
  };
}

function emptyNote(chartEl: HTMLElement, empty: boolean): void {
  const panel = chartEl.parentElement!;
  panel.querySelector('.chart-empty')?.remove();
  if (empty) panel.appendChild(h('div', { class: 'chart-empty' }, t('overview.noData')));
}
