import { api, type Warning, type WarningDetail, type WarningStep } from '../api.ts';
import { severityBadge, stateBadge } from '../components/badges.ts';
import { errorMessage } from '../components/error-box.ts';
import { renderListPage } from '../components/list-page.ts';
import { dataTable } from '../components/data-table.ts';
import { clear, h } from '../dom.ts';
import { formatTime, orDash } from '../format.ts';
import { t, tValue, type MessageKey } from '../i18n.ts';
import { session } from '../session.ts';
import type { ViewContext } from './view.ts';

const STATES = ['draft', 'issued', 'acknowledged', 'remediating', 'verifying', 'resolved', 'reopened'];
// The states in which the enterprise still owes a fix: a passed deadline there is overdue.
const OPEN = new Set(['issued', 'acknowledged', 'remediating', 'reopened']);
const REGULATORS = new Set(['province-admin', 'province-analyst', 'city-analyst', 'county-analyst']);
// The server refuses larger files (MAX_EVIDENCE_BYTES); checking here spares a long upload.
const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

interface Action {
  key: MessageKey;
  step?: WarningStep;
  note?: 'required';
  evidence?: true;
}

/** What this user may do with this warning now; the server checks the same again. */
function actionsFor(role: string | undefined, state: string): Action[] {
  const out: Action[] = [];
  if (role && REGULATORS.has(role)) {
    if (state === 'draft') out.push({ key: 'action.issue', step: 'issue' });
    if (state === 'remediating') out.push({ key: 'action.verify', step: 'verify' });
  }
  if (role === 'enterprise-user') {
    if (state === 'issued' || state === 'reopened') out.push({ key: 'action.acknowledge', step: 'acknowledge', note: 'required' });
    if (state === 'acknowledged' || state === 'reopened') out.push({ key: 'action.remediate', step: 'remediate', note: 'required' });
    if (state === 'acknowledged' || state === 'remediating' || state === 'reopened') out.push({ key: 'action.evidence', evidence: true });
    if (state === 'remediating') out.push({ key: 'action.verify', step: 'verify' });
  }
  return out;
}

function base64Of(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function pickFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = h('input', { attrs: { type: 'file' } });
    input.addEventListener('change', () => resolve(input.files?.[0] ?? null));
    input.click();
  });
}

async function run(w: Warning, action: Action): Promise<boolean> {
  try {
    if (action.evidence) {
      const file = await pickFile();
      if (!file) return false;
      if (file.size > MAX_EVIDENCE_BYTES) throw new Error(t('error.EVIDENCE_TOO_LARGE'));
      const e = await api.uploadEvidence(w.id, { name: file.name, contentType: file.type || 'application/octet-stream', content: base64Of(await file.arrayBuffer()) });
      window.alert(t('action.evidenceDone', { name: e.name, sha: e.sha256.slice(0, 12) }));
      return true;
    }
    let note: string | undefined;
    if (action.note) {
      const answer = window.prompt(`${t(action.key)} — ${t('action.notePrompt')}`);
      if (!answer?.trim()) return false;
      note = answer.trim();
    }
    await api.warningStep(w.id, action.step!, note);
    return true;
  } catch (e) {
    window.alert(errorMessage(e));
    return false;
  }
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { attrs: { href: url, download: filename } });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function downloadBulletin(w: Warning): Promise<void> {
  try {
    save(await api.bulletin(w.id), `通报-${w.enterpriseName ?? w.enterpriseId}.docx`);
  } catch (e) {
    window.alert(errorMessage(e));
  }
}

/** The warning's findings, history, evidence and escalations, under the list. */
async function showDetail(panel: HTMLElement, w: Warning): Promise<void> {
  let d: WarningDetail;
  try {
    d = await api.warning(w.id);
  } catch (e) {
    window.alert(errorMessage(e));
    return;
  }
  const section = (title: MessageKey, body: HTMLElement) => h('div', { class: 'table-wrap' }, h('h3', { class: 'panel-title', style: 'margin-top:16px' }, t(title)), body);
  clear(panel);
  panel.append(
    h(
      'section',
      { class: 'panel list-page', testid: 'warning-detail' },
      h('h2', { class: 'panel-title' }, d.title, ' ', stateBadge(d.state), ' ', h('button', { class: 'btn small ghost', attrs: { type: 'button' }, on: { click: () => clear(panel) } }, t('detail.close'))),
      section(
        'detail.findings',
        dataTable('warning-findings', [
          { label: 'col.endpoint', class: 'mono', cell: (f) => `${f.ip}:${f.port}` },
          { label: 'col.productModel', cell: (f) => orDash(f.product) },
          { label: 'col.firmware', class: 'mono', cell: (f) => orDash(f.firmware) },
          { label: 'col.cves', class: 'mono', cell: (f) => f.cves.join(' ') },
          { label: 'col.severity', class: 'nowrap', cell: (f) => severityBadge(f.severity, f.cvss) },
          { label: 'col.state', cell: (f) => (f.status === 'open' ? t('finding.open') : f.status === 'fixed' ? t('finding.fixed') : f.status) },
        ], d.findings),
      ),
      section(
        'detail.history',
        dataTable('warning-history', [
          { label: 'col.time', class: 'mono nowrap', cell: (x) => formatTime(x.at) },
          { label: 'col.change', class: 'nowrap', cell: (x) => [stateBadge(x.from), ' → ', stateBadge(x.to)] },
          { label: 'col.actor', cell: (x) => x.actor ?? t('detail.platform') },
          { label: 'col.note', cell: (x) => orDash(x.note) },
        ], d.transitions),
      ),
      section(
        'detail.evidence',
        dataTable('warning-evidence', [
          { label: 'col.time', class: 'mono nowrap', cell: (e) => formatTime(e.uploadedAt) },
          {
            label: 'col.file',
            cell: (e) => h('button', { class: 'btn small ghost', attrs: { type: 'button' }, on: { click: () => void api.evidence(d.id, e.id).then((b) => save(b, e.name), (err: unknown) => window.alert(errorMessage(err))) } }, e.name),
          },
          { label: 'col.size', class: 'num', cell: (e) => e.size },
          { label: 'col.note', cell: (e) => orDash(e.note) },
          { label: 'col.actor', cell: (e) => orDash(e.uploadedBy) },
        ], d.evidence),
      ),
      d.escalations.length
        ? section(
            'detail.escalations',
            dataTable('warning-escalations', [
              { label: 'col.time', class: 'mono nowrap', cell: (x) => formatTime(x.at) },
              { label: 'col.recipients', cell: (x) => orDash(x.recipients.map((r) => `${r.username}（${tValue('role', r.role)}）`).join('、')) },
            ], d.escalations),
          )
        : null,
    ),
  );
  panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

export async function warningsView(ctx: ViewContext): Promise<void> {
  const { root, params } = ctx;
  const role = session.user()?.role;
  const reload = () => void warningsView(ctx);
  const detailPanel = h('div', { testid: 'warning-detail-panel' });
  await renderListPage<Warning>(root, params, {
    route: 'warnings',
    testid: 'warnings-table',
    title: 'nav.warnings',
    filters: [
      {
        name: 'state',
        label: 'filter.state',
        kind: 'select',
        options: async () => STATES.map((s) => ({ value: s, label: tValue('state', s) })),
      },
      {
        name: 'enterprise',
        label: 'filter.enterprise',
        kind: 'select',
        options: async () => (await api.enterprises({ pageSize: 100 })).items.map((e) => ({ value: e.id, label: e.name })),
      },
    ],
    load: (query) => api.warnings(query),
    columns: [
      { label: 'col.enterprise', cell: (w) => orDash(w.enterpriseName) },
      { label: 'col.title', cell: (w) => w.title },
      { label: 'col.severity', class: 'nowrap', cell: (w) => severityBadge(w.severity) },
      { label: 'col.state', class: 'nowrap', cell: (w) => stateBadge(w.state) },
      { label: 'col.findings', class: 'num', cell: (w) => w.findingCount },
      {
        label: 'col.deadline',
        class: 'mono nowrap',
        cell: (w) => {
          const overdue = w.deadline !== null && OPEN.has(w.state) && Date.parse(w.deadline) < Date.now();
          return h('span', { class: overdue ? 'overdue' : undefined, title: overdue ? t('action.overdue') : undefined, testid: overdue ? 'warning-overdue' : undefined }, formatTime(w.deadline));
        },
      },
      {
        label: 'col.actions',
        class: 'nowrap',
        cell: (w) =>
          h('span', { style: 'display:inline-flex;gap:4px;flex-wrap:wrap' }, [
          ...actionsFor(role, w.state).map((action) =>
            h(
              'button',
              {
                class: 'btn small',
                testid: `warning-${action.step ?? 'evidence'}`,
                attrs: { type: 'button' },
                on: { click: async () => (await run(w, action)) && reload() },
              },
              t(action.key),
            ),
          ),
          h('button', { class: 'btn small ghost', testid: 'warning-details', attrs: { type: 'button' }, on: { click: () => void showDetail(detailPanel, w) } }, t('action.details')),
          h('button', { class: 'btn small ghost', testid: 'warning-bulletin', attrs: { type: 'button' }, on: { click: () => void downloadBulletin(w) } }, t('action.bulletin')),
          ]),
      },
    ],
  });
  root.appendChild(detailPanel);
}
