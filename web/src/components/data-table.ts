import { h } from '../dom.ts';
import { t, type MessageKey } from '../i18n.ts';

type Cell = Node | string | number | null | undefined;

export interface Column<T> {
  label: MessageKey;
  cell: (row: T) => Cell | Cell[];
  /** Extra class for both header and cells (`num` right-aligns, `mono` for addresses and versions). */
  class?: string;
}

/** A plain table; every body row carries `data-testid="<testid>-row"` so tests can count and read rows. */
export function dataTable<T>(testid: string, columns: Column<T>[], rows: T[]): HTMLTableElement {
  const head = h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, t(c.label)))));
  const body = h(
    'tbody',
    null,
    rows.length === 0
      ? h('tr', { class: 'empty' }, h('td', { attrs: { colspan: String(columns.length) } }, t('table.empty')))
      : rows.map((row) =>
          h(
            'tr',
            { testid: `${testid}-row` },
            columns.map((c) => {
              const value = c.cell(row);
              return h('td', { class: c.class }, Array.isArray(value) ? value : [value]);
            }),
          ),
        ),
  );
  return h('table', { class: 'data-table', testid }, head, body);
}
