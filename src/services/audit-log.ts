// Reading the audit log (auditors and province admins) and the event stream (every reader, scoped).
import { appError } from '../errors.ts';
import type { Actor } from '../model/index.ts';
import { can, inScope } from '../access/index.ts';
import type { ServiceContext } from './context.ts';
import { page, type Page, type PageQuery } from './paging.ts';

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  detail: Record<string, unknown>;
}

export async function listAudit(ctx: ServiceContext, actor: Actor, q: PageQuery & { action?: string; actorName?: string }): Promise<Page<AuditEntry>> {
  if (!can(actor, 'read:audit')) throw appError('FORBIDDEN');
  let query = ctx.store.db.selectFrom('auditLog');
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actorName) query = query.where('actorName', '=', q.actorName);
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> })), total: Number(count.n) };
}

export interface EventView {
  id: string;
  kind: string;
  severity: string;
  assetId: string | null;
  ip: string | null;
  cityCode: string | null;
  countyCode: string | null;
  enterpriseId: string | null;
  source: string;
  summary: string;
  detail: Record<string, unknown>;
  occurredAt: string;
}

export async function listEvents(ctx: ServiceContext, actor: Actor, q: PageQuery & { kind?: string; ip?: string }): Promise<Page<EventView>> {
  if (!can(actor, 'read:events')) throw appError('FORBIDDEN');
  let query = ctx.store.db.selectFrom('events').where(inScope(actor));
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.ip) query = query.where('ip', '=', q.ip);
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      severity: r.severity,
      assetId: r.assetId,
      ip: r.ip,
      cityCode: r.cityCode,
      countyCode: r.countyCode,
      enterpriseId: r.enterpriseId,
      source: r.source,
      summary: r.summary,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      occurredAt: r.occurredAt,
    })),
    total: Number(count.n),
  };
}
