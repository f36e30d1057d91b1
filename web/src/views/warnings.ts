import { api, type Warning } from '../api.ts';
import { severityBadge, stateBadge } from '../components/badges.ts';
import { renderListPage } from '../components/list-page.ts';
import { h } from '../dom.ts';
import { formatTime, orDash } from '../format.ts';
import { tValue } from '../i18n.ts';
import type { ViewContext } from './view.ts';

const STATES = ['draft', 'issued', 'acknowledged', 'remediating', 'verifying', 'resolved', 'reopened'];
const CLOSED = new Set(['resolved']);

export async function warningsView({ root, params }: ViewContext): Promise<void> {
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
          const overdue = w.deadline !== null && !CLOSED.has(w.state) && Date.parse(w.deadline) < Date.now();
          return h('span', { class: overdue ? 'overdue' : undefined }, formatTime(w.deadline));
        },
      },
    ],
  });
}
