// The shape every list page shares: filters in the address, a table, and a pager under it.
import type { Page } from '../api.ts';
import { clear, h } from '../dom.ts';
import { t, type MessageKey } from '../i18n.ts';
import { navigate, type RouteName } from '../router.ts';
import { dataTable, type Column } from './data-table.ts';
import { errorBox } from './error-box.ts';

export interface Option {
  value: string;
  label: string;
}

export type FilterField =
  | { name: string; label: MessageKey; kind: 'text'; placeholder?: MessageKey; width?: string }
  | { name: string; label: MessageKey; kind: 'select'; options: () => Promise<Option[]> };

export interface ListPageSpec<T> {
  route: RouteName;
  testid: string;
  title: MessageKey;
  filters: FilterField[];
  columns: Column<T>[];
  load: (query: Record<string, string | number | undefined>) => Promise<Page<T>>;
  /**
   * The list answers nextCursor / prevCursor: Previous and Next follow them (the cursor rides in
   * the address beside the page number, which is then only shown), so a deep page costs what the
   * first one does. An address with a page number and no cursor still loads by number.
   */
  cursors?: boolean;
}

const PAGE_SIZES = [20, 50, 100];

function positiveInt(raw: string | null, fallback: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export async function renderListPage<T>(root: HTMLElement, params: URLSearchParams, spec: ListPageSpec<T>): Promise<void> {
  const page = positiveInt(params.get('page'), 1);
  const cursor = spec.cursors ? (params.get('cursor') ?? '') : '';
  const pageSize = PAGE_SIZES.includes(Number(params.get('pageSize'))) ? Number(params.get('pageSize')) : PAGE_SIZES[0];
  const filters: Record<string, string> = {};
  for (const field of spec.filters) filters[field.name] = params.get(field.name) ?? '';

  const go = (overrides: Record<string, string | number | undefined>) =>
    navigate(spec.route, { ...filters, pageSize: pageSize === PAGE_SIZES[0] ? undefined : pageSize, page, ...overrides });

  // Rows and filter options (say, the enterprise list) load side by side; neither waits for the other.
  const loading = spec.load(cursor ? { ...filters, cursor, pageSize } : { ...filters, page, pageSize }).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const form = h('form', { class: 'filters', testid: `${spec.testid}-filters` });
  form.append(...(await Promise.all(spec.filters.map((field) => filterControl(field, filters[field.name])))));
  form.appendChild(
    h(
      'div',
      { class: 'filter-actions' },
      h('button', { class: 'btn primary', attrs: { type: 'submit' }, testid: `${spec.testid}-search` }, t('filter.search')),
      h(
        'button',
        { class: 'btn', attrs: { type: 'button' }, on: { click: () => navigate(spec.route) } },
        t('filter.reset'),
      ),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next: Record<string, string> = {};
    for (const field of spec.filters) next[field.name] = String(data.get(field.name) ?? '').trim();
    go({ ...next, page: undefined });
  });

  const body = h('div', { class: 'list-body' }, h('div', { class: 'loading' }, t('table.loading')));
  clear(root);
  root.append(h('section', { class: 'panel list-page' }, h('h2', { class: 'panel-title' }, t(spec.title)), form, body));

  const outcome = await loading;
  if ('error' in outcome) {
    clear(body);
    body.appendChild(errorBox(outcome.error));
    return;
  }
  const { result } = outcome;
  const pages = Math.max(1, Math.ceil(result.total / pageSize));
  clear(body);
  body.append(
    h('div', { class: 'table-wrap' }, dataTable(spec.testid, spec.columns, result.items)),
    h(
      'div',
      { class: 'pager', testid: `${spec.testid}-pager` },
      h('span', { class: 'pager-total', testid: `${spec.testid}-total` }, t('page.total', { total: result.total })),
      h(
        'select',
        {
          class: 'pager-size',
          testid: `${spec.testid}-page-size`,
          attrs: { 'aria-label': t('page.size', { size: pageSize }) },
          on: { change: (e) => go({ pageSize: Number((e.target as HTMLSelectElement).value), page: undefined }) },
        },
        PAGE_SIZES.map((size) => {
          const option = h('option', { attrs: { value: String(size) } }, t('page.size', { size }));
          option.selected = size === pageSize;
          return option;
        }),
      ),
      pagerButton(`${spec.testid}-prev`, t('page.prev'), page <= 1, () =>
        go(page - 1 <= 1 ? { page: undefined } : { page: page - 1, cursor: result.prevCursor ?? undefined }),
      ),
      h('span', { class: 'pager-pos', testid: `${spec.testid}-position` }, t('page.of', { page, pages })),
      spec.cursors
        ? pagerButton(`${spec.testid}-next`, t('page.next'), !result.nextCursor, () => go({ page: page + 1, cursor: result.nextCursor ?? undefined }))
        : pagerButton(`${spec.testid}-next`, t('page.next'), page >= pages, () => go({ page: page + 1 })),
    ),
  );
}

function pagerButton(testid: string, label: string, disabled: boolean, onClick: () => void): HTMLButtonElement {
  const button = h('button', { class: 'btn small', testid, attrs: { type: 'button' }, on: { click: onClick } }, label);
  button.disabled = disabled;
  return button;
}

async function filterControl(field: FilterField, value: string): Promise<HTMLElement> {
  const id = `filter-${field.name}`;
  let control: HTMLInputElement | HTMLSelectElement;
  if (field.kind === 'text') {
    control = h('input', {
      attrs: { id, name: field.name, type: 'search', autocomplete: 'off' },
      testid: `filter-${field.name}`,
      style: field.width ? `width:${field.width}` : undefined,
    });
    if (field.placeholder) control.placeholder = t(field.placeholder);
    control.value = value;
  } else {
    // A failed option list (say, no right to list enterprises) leaves the filter usable with "all" only.
    const options = await field.options().catch(() => [] as Option[]);
    control = h(
      'select',
      { attrs: { id, name: field.name }, testid: `filter-${field.name}` },
      h('option', { attrs: { value: '' } }, t('filter.all')),
      options.map((o) => h('option', { attrs: { value: o.value } }, o.label)),
    );
    control.value = value;
  }
  return h('label', { class: 'filter', attrs: { for: id } }, h('span', { class: 'filter-label' }, t(field.label)), control);
}
