import { api, type Warning, type WarningStep } from '../api.ts';
import { severityBadge, stateBadge } from '../components/badges.ts';
import { errorMessage } from '../components/error-box.ts';
import { renderListPage } from '../components/list-page.ts';
import { h } from '../dom.ts';
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

async function downloadBulletin(w: Warning): Promise<void> {
  try {
    const blob = await api.bulletin(w.id);
    const url = URL.createObjectURL(blob);
    const a = h('a', { attrs: { href: url, download: `通报-${w.enterpriseName ?? w.enterpriseId}.docx` } });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (e) {
    window.alert(errorMessage(e));
  }
}

export async function warningsView(ctx: ViewContext): Promise<void> {
  const { root, params } = ctx;
  const role = session.user()?.role;
  const reload = () => void warningsView(ctx);
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
          h('button', { class: 'btn small ghost', testid: 'warning-bulletin', attrs: { type: 'button' }, on: { click: () => void downloadBulletin(w) } }, t('action.bulletin')),
          ]),
      },
    ],
  });
}
