// Platform scans (在线监测 · 主动探测): queue a scan of a region, an enterprise or a CIDR, watch its
// progress, cancel it; and the latest exposure changes the scans found (new, gone, identity changed).
import { api, ApiError, type ExposureEvent, type Scan } from '../api.ts';
import { chip } from '../components/badges.ts';
import { dataTable } from '../components/data-table.ts';
import { errorBox, errorMessage } from '../components/error-box.ts';
import { h } from '../dom.ts';
import { formatCount, formatTime } from '../format.ts';
import { t, type MessageKey } from '../i18n.ts';
import { regionIndex } from '../regions.ts';
import { href } from '../router.ts';
import type { Dispose, ViewContext } from './view.ts';

const STATE_TONE: Record<string, string> = { queued: 'yellow', running: 'blue', finished: 'cyan', failed: 'red', cancelled: 'orange' };
const KIND_TONE: Record<string, string> = { 'exposure-new': 'orange', 'exposure-gone': 'cyan', 'identity-changed': 'purple' };
const CHANGE_KINDS = ['exposure-new', 'exposure-gone', 'identity-changed'] as const;
const REFRESH_MS = 2000;

const stateChip = (s: string) => chip(t(`scans.state.${s}` as MessageKey), `tone-${STATE_TONE[s] ?? 'blue'}`);

function progressBar(s: Scan): HTMLElement {
  const pct = Math.round(s.progress * 100);
  return h(
    'span',
    { class: 'nowrap', testid: 'scan-progress', title: `${formatCount(s.finishedPairs)} / ${formatCount(s.pairs)}` },
    h('span', { style: 'display:inline-block;width:120px;height:8px;border-radius:4px;background:rgba(255,255,255,0.12);vertical-align:middle;margin-right:6px;overflow:hidden' }, h('span', { style: `display:block;height:100%;width:${pct}%;background:var(--accent)` })),
    `${pct}%`,
  );
}

export async function scansView({ root }: ViewContext): Promise<Dispose | void> {
  const regions = await regionIndex().catch(() => new Map());
  const message = h('div', { class: 'panel-note', testid: 'scan-message' });
  const targets = h('input', { testid: 'scan-targets', attrs: { type: 'text', placeholder: t('scans.targetsHint'), size: '40' } });
  const region = h(
    'select',
    { testid: 'scan-region', on: { change: () => void (targets.value = region.value) } },
    h('option', { attrs: { value: '' } }, t('scans.pickRegion')),
    [...regions.values()].filter((r) => r.level !== 'county').sort((a, b) => a.code.localeCompare(b.code)).map((r) => h('option', { attrs: { value: r.code } }, r.level === 'city' ? `\u3000${r.name}` : r.name)),
  );
  const ports = h('input', { testid: 'scan-ports', attrs: { type: 'text', placeholder: '502,102 / modbus:15020', size: '18' } });
  const rate = h('input', { testid: 'scan-rate', attrs: { type: 'number', min: '1', max: '100000', placeholder: '1000', style: 'width:90px' } });
  const every = h('input', { testid: 'scan-every', attrs: { type: 'number', min: '1', placeholder: t('scans.once'), style: 'width:90px' } });
  const field = (label: MessageKey, control: HTMLElement) => h('label', { class: 'filter' }, h('span', { class: 'filter-label' }, t(label)), control);
  const form = h(
    'form',
    { class: 'filters', testid: 'scan-form', on: { submit: (e) => void submit(e) } },
    field('scans.region', region),
    field('scans.targets', targets),
    field('scans.ports', ports),
    field('scans.rate', rate),
    field('scans.every', every),
    h('div', { class: 'filter-actions' }, h('button', { class: 'btn primary', attrs: { type: 'submit' } }, t('scans.start'))),
  );
  const list = h('div', { testid: 'scans-list' });
  const changes = h('div', { testid: 'exposure-changes' });
  root.append(
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('scans.new'), message), form),
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('nav.scans')), list),
    h('section', { class: 'panel' }, h('h2', { class: 'panel-title' }, t('scans.changes')), changes),
  );

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    const body = {
      targets: targets.value.split(/[\s,，]+/).filter(Boolean),
      ...(ports.value.trim() ? { ports: ports.value.trim() } : {}),
      ...(rate.value ? { rate: Number(rate.value) } : {}),
      ...(every.value ? { schedule: { everyMinutes: Number(every.value) } } : {}),
    };
    try {
      const s = await api.createScan(body);
      message.textContent = t('scans.queued', { id: s.id });
      await refresh();
    } catch (err) {
      message.textContent = err instanceof ApiError ? err.message : errorMessage(err);
    }
  }

  async function cancel(id: string): Promise<void> {
    try {
      await api.cancelScan(id);
    } catch (err) {
      message.textContent = errorMessage(err);
    }
    await refresh();
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  async function refresh(): Promise<void> {
    if (timer) clearTimeout(timer);
    let scans;
    let events: ExposureEvent[];
    try {
      const [page, ...byKind] = await Promise.all([api.scans({ pageSize: 50 }), ...CHANGE_KINDS.map((kind) => api.events({ kind, pageSize: 30 }))]);
      scans = page;
      events = byKind.flatMap((p) => p.items).sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).slice(0, 50);
    } catch (err) {
      list.replaceChildren(errorBox(err));
      return;
    }
    if (disposed) return;
    list.replaceChildren(scansTable(scans.items, cancel));
    changes.replaceChildren(changesTable(events));
    if (scans.items.some((s) => s.state === 'running' || s.state === 'queued')) timer = setTimeout(() => void refresh(), REFRESH_MS);
  }
  await refresh();
  return () => {
    disposed = true;
    if (timer) clearTimeout(timer);
  };
}

function scansTable(rows: Scan[], cancel: (id: string) => void): HTMLElement {
  return dataTable<Scan>('scans', [
    { label: 'scans.col.targets', class: 'mono', cell: (s) => s.targets.join(' ') + (s.ports ? ` · ${s.ports}` : '') },
    { label: 'scans.col.state', cell: (s) => [stateChip(s.state), s.schedule ? chip(t('scans.every.n', { n: s.schedule.everyMinutes })) : null, s.error ? h('span', { title: s.error }, ' ⚠') : null] },
    { label: 'scans.col.progress', cell: progressBar },
    { label: 'scans.col.identified', class: 'num', cell: (s) => formatCount(s.counts.identified) },
    { label: 'scans.col.newAssets', class: 'num', cell: (s) => formatCount(s.counts.newAssets) },
    { label: 'scans.col.gone', class: 'num', cell: (s) => formatCount(s.counts.gone) },
    { label: 'scans.col.errors', class: 'num', cell: (s) => formatCount(s.counts.errors) },
    { label: 'scans.col.started', class: 'nowrap', cell: (s) => formatTime(s.startedAt ?? s.notBefore) },
    { label: 'scans.col.finished', class: 'nowrap', cell: (s) => formatTime(s.finishedAt) },
    {
      label: 'scans.col.actions',
      cell: (s) =>
        s.state === 'queued' || s.state === 'running'
          ? h('button', { class: 'btn small', testid: 'scan-cancel', attrs: { type: 'button' }, on: { click: () => cancel(s.id) } }, t('scans.cancel'))
          : null,
    },
  ], rows);
}

function changesTable(rows: ExposureEvent[]): HTMLElement {
  return dataTable<ExposureEvent>('exposure-change', [
    { label: 'scans.col.when', class: 'nowrap', cell: (e) => formatTime(e.occurredAt) },
    { label: 'scans.col.kind', cell: (e) => chip(t(`scans.kind.${e.kind}` as MessageKey), `tone-${KIND_TONE[e.kind] ?? 'blue'}`) },
    { label: 'col.ip', class: 'mono', cell: (e) => (e.ip ? h('a', { attrs: { href: href('assets', { q: e.ip }) } }, e.ip) : '—') },
    { label: 'scans.col.summary', cell: (e) => e.summary },
  ], rows);
}
