// Threat trapping (威胁诱捕): what attackers did to the honeypot sensors — operations per protocol
// over time, the busiest sources with their classification, the latest interactions, and for a
// chosen source everything else the platform knows about that address.
import { api, type HoneypotEvent, type HoneypotSource, type HoneypotSourceProfile } from '../api.ts';
import { echarts, PALETTE } from '../charts.ts';
import { chip, severityBadge } from '../components/badges.ts';
import { dataTable } from '../components/data-table.ts';
import { errorBox } from '../components/error-box.ts';
import { h } from '../dom.ts';
import { formatCount, formatTime } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { href } from '../router.ts';
import type { Dispose, ViewContext } from './view.ts';

const CLASS_TONE: Record<string, string> = { scan: 'low', reconnaissance: 'medium', manipulation: 'high', 'denial-of-service': 'high', 'exploit-attempt': 'critical' };
const classification = (c: string | null) => (c ? chip(t(`honeypot.class.${c}` as MessageKey), `tone-${CLASS_TONE[c] ?? 'low'}`) : '—');
const operation = (op: string) => t(`honeypot.op.${op}` as MessageKey) || op;

export async function honeypotView({ root, params }: ViewContext): Promise<Dispose | void> {
  const ip = params.get('ip') ?? undefined;
  const bucket = params.get('bucket') === 'day' ? 'day' : 'hour';
  let activity, sources, events;
  try {
    [activity, sources, events] = await Promise.all([api.honeypotActivity({ bucket }), api.honeypotSources({ limit: 20 }), api.honeypotEvents({ ip, pageSize: 50 })]);
  } catch (e) {
    root.append(errorBox(e));
    return;
  }
  const chartEl = h('div', { class: 'chart', testid: 'honeypot-activity' });
  const switcher = h(
    'span',
    { class: 'chips' },
    (['hour', 'day'] as const).map((b) => h('a', { class: b === bucket ? 'active' : undefined, attrs: { href: href('honeypot', { bucket: b, ip }) } }, t(`honeypot.bucket.${b}`))),
  );
  const profile = ip ? await api.honeypotSource(ip).catch(() => null) : null;
  const sections: (HTMLElement | null)[] = [
    h('h1', { class: 'page-title' }, t('nav.honeypot')),
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('honeypot.activity'), ' ', switcher), chartEl),
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('honeypot.sources')), sourcesTable(sources.items)),
    ip ? h('section', { class: 'panel', testid: 'honeypot-profile' }, h('h2', { class: 'panel-title' }, t('honeypot.profile', { ip })), profileBlock(profile)) : null,
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('honeypot.events'), ` (${formatCount(events.total)})`), eventsTable(events.items)),
  ];
  root.append(...sections.filter((x): x is HTMLElement => x !== null));
  const chart = echarts.init(chartEl, null, { renderer: 'svg' });
  chart.setOption(activityOption(activity.items));
  if (activity.items.length === 0) chartEl.append(h('div', { class: 'chart-empty' }, t('overview.noData')));
  return () => chart.dispose();
}

/** Stacked bars: one series per protocol, total operations per bucket. */
function activityOption(points: { at: string; protocol: string; operation: string; count: number }[]) {
  const buckets = [...new Set(points.map((p) => p.at))].sort();
  const protocols = [...new Set(points.map((p) => p.protocol))].sort();
  const colors = [PALETTE.accent, '#ffb74d', '#ef5350', '#66bb6a', '#ab47bc', '#26c6da', '#ffca28', '#8d6e63', '#78909c', '#ec407a'];
  return {
    // A wall display redraws every visit; growing bars from zero would only delay the picture.
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: buckets.map((b) => formatTime(b)), axisLabel: { color: PALETTE.dim } },
    yAxis: { type: 'value', axisLabel: { color: PALETTE.dim }, splitLine: { lineStyle: { color: PALETTE.line } } },
    series: protocols.map((protocol, i) => ({
      name: protocol,
      type: 'bar',
      stack: 'ops',
      barMaxWidth: 48,
      itemStyle: { color: colors[i % colors.length] },
      data: buckets.map((b) => points.filter((p) => p.at === b && p.protocol === protocol).reduce((t, p) => t + p.count, 0)),
    })),
  };
}

function sourcesTable(rows: HoneypotSource[]): HTMLElement {
  return dataTable<HoneypotSource>('honeypot-sources', [
    { label: 'honeypot.col.source', class: 'mono', cell: (s) => h('a', { attrs: { href: href('honeypot', { ip: s.ip }) } }, s.ip) },
    { label: 'honeypot.col.events', class: 'num', cell: (s) => formatCount(s.events) },
    { label: 'honeypot.col.classification', cell: (s) => classification(s.classification) },
    { label: 'honeypot.col.protocols', cell: (s) => h('span', { class: 'chips' }, s.protocols.map((p) => chip(p))) },
    { label: 'honeypot.col.operations', cell: (s) => Object.entries(s.operations).map(([op, n]) => `${operation(op)} ${n}`).join('、') },
    { label: 'honeypot.col.lastSeen', class: 'nowrap', cell: (s) => formatTime(s.lastSeen) },
  ], rows);
}

function eventsTable(rows: HoneypotEvent[]): HTMLElement {
  return dataTable<HoneypotEvent>('honeypot-events', [
    { label: 'honeypot.col.time', class: 'nowrap', cell: (e) => formatTime(e.occurredAt) },
    { label: 'honeypot.col.source', class: 'mono', cell: (e) => (e.ip ? h('a', { attrs: { href: href('honeypot', { ip: e.ip }) } }, e.ip) : '—') },
    { label: 'honeypot.col.protocol', cell: (e) => String(e.detail.protocol ?? '') },
    { label: 'honeypot.col.operation', cell: (e) => h('span', null, severityBadge(e.severity, null), ' ', operation(String(e.detail.operation ?? ''))) },
    { label: 'honeypot.col.detail', cell: (e) => String(e.detail.detail ?? '') },
    { label: 'honeypot.col.sensor', class: 'mono', cell: (e) => `${String(e.detail.sensor ?? '')} → ${String((e.detail.dst as { port?: number } | undefined)?.port ?? '')}` },
  ], rows);
}

function profileBlock(p: HoneypotSourceProfile | null): HTMLElement {
  if (!p) return h('p', null, t('honeypot.noProfile'));
  const d = p.indicator?.detail as { classification?: string } | undefined;
  return h(
    'div',
    null,
    h('p', null, t('honeypot.indicator'), ': ', classification(d?.classification ?? null), p.indicator ? ` ${formatTime(p.indicator.firstSeen)} – ${formatTime(p.indicator.lastSeen)}` : ''),
    h('p', null, t('honeypot.linkedAssets', { n: p.assets.length, observations: p.observations }), ' ', p.assets.length ? h('a', { attrs: { href: href('assets', { q: p.ip }) } }, t('nav.assets')) : null),
    p.assets.length
      ? h('ul', null, p.assets.map((a) => h('li', null, `${a.vendor ?? '—'} ${a.product ?? ''}: `, a.services.map((s) => `${s.protocol} ${s.transport}/${s.port}`).join(', '))))
      : null,
    h('p', null, t('honeypot.otherEvents', { n: p.otherEvents.length })),
    p.otherEvents.length ? h('ul', null, p.otherEvents.slice(0, 10).map((e) => h('li', null, `${formatTime(e.occurredAt)} ${e.kind}: ${e.summary}`))) : null,
  );
}
