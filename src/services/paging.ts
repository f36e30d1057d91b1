export interface PageQuery {
  page?: number;
  pageSize?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export const MAX_PAGE_SIZE = 500;

export function page(q: PageQuery): { limit: number; offset: number } {
  const size = Math.min(Math.max(1, q.pageSize ?? 50), MAX_PAGE_SIZE);
  const p = Math.max(1, q.page ?? 1);
  return { limit: size, offset: (p - 1) * size };
}
