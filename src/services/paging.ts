import { createHash } from 'node:crypto';
import { appError } from '../errors.ts';

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

/**
 * Keyset (cursor) paging. A page asked for with a cursor starts right after (or ends right before)
 * the row the cursor names by its sort key, so its cost does not grow with its depth the way an
 * OFFSET does: the database seeks into the ordered index instead of stepping over every earlier row.
 *
 * The token is opaque to clients (base64url of a small versioned record) and checked on the way
 * in: it must decode, carry a key of the list's shape, and have been issued for the same filters
 * (Google AIP-158: a page token is only valid with the request parameters it came from). It is a
 * position, not a capability: the list re-applies the actor's scope and the filters on every page,
 * so a forged or borrowed cursor can only move where a page starts within what the actor may see.
 */
export interface CursorQuery extends PageQuery {
  cursor?: string;
}

export interface CursorPage<T> extends Page<T> {
  /** The page after this one; null when this page reaches the end of the list. */
  nextCursor: string | null;
  /** The page before this one; null on the first page. */
  prevCursor: string | null;
}

/** Where a page starts: after the key (the next page) or before it (the previous page, read backwards). */
export interface Cursor {
  direction: 'after' | 'before';
  key: string[];
}

const CURSOR_VERSION = 1;

/** A short digest of the filters a cursor is issued for; filters left out count as absent. */
export function filterDigest(filters: Record<string, string | number | undefined>): string {
  const entries = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 16);
}

export function encodeCursor(cursor: Cursor, digest: string): string {
  const record = { v: CURSOR_VERSION, d: cursor.direction === 'after' ? 'a' : 'b', k: cursor.key, f: digest };
  return Buffer.from(JSON.stringify(record), 'utf8').toString('base64url');
}

/**
 * The cursor a token stands for, or INVALID_CURSOR (400) when it is not one this list issued for
 * these filters. `keyValid` checks the key's shape (how many parts, what each looks like), so a key
 * that could not have come from a row never reaches a query.
 */
export function decodeCursor(token: string, digest: string, keyValid: (key: string[]) => boolean): Cursor {
  const invalid = (why: string) => appError('INVALID_CURSOR', `The cursor ${why}; start again from the first page`);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('is not a token this platform issued');
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a token this platform issued');
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw invalid('is not a token this platform issued');
  const { v, d, k, f } = record as Record<string, unknown>;
  if (v !== CURSOR_VERSION) throw invalid('is of another version');
  if ((d !== 'a' && d !== 'b') || !Array.isArray(k) || !k.every((part) => typeof part === 'string') || !keyValid(k as string[])) {
    throw invalid('is not a token this platform issued');
  }
  if (f !== digest) throw invalid('was issued for other filters');
  return { direction: d === 'a' ? 'after' : 'before', key: k as string[] };
}
