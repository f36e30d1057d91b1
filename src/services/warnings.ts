import { appError } from '../errors.ts';
import type { Actor, Severity, WarningState } from '../model/index.ts';
import { can, inScope } from '../access/index.ts';
import type { WarningTable } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import { page, type Page, type PageQuery } from './paging.ts';

export interface WarningQuery extends PageQuery {
  state?: WarningState;
  enterprise?: string;
}

export interface WarningView {
  id: string;
  enterpriseId: string;
  enterpriseName: string | null;
  title: string;
  severity: Severity;
  state: WarningState;
  findingCount: number;
  deadline: string | null;
  cityCode: string | null;
  countyCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export async function listWarnings(ctx: ServiceContext, actor: Actor, q: WarningQuery): Promise<Page<WarningView>> {
  if (!can(actor, 'read:warnings')) throw appError('FORBIDDEN');
  let query = ctx.store.db.selectFrom('warnings').where(inScope(actor, { table: 'warnings' }));
  // Drafts are the regulator's work in progress: an enterprise sees a warning once it is issued.
  if (actor.role === 'enterprise-user') query = query.where('warnings.state', '!=', 'draft');
  if (q.state) query = query.where('warnings.state', '=', q.state);
  if (q.enterprise) query = query.where('warnings.enterpriseId', '=', q.enterprise);
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('enterprises', 'enterprises.id', 'warnings.enterpriseId')
      .selectAll('warnings')
      .select('enterprises.name as enterpriseName')
      .select((eb) =>
        eb.selectFrom('warningFindings').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('warningFindings.warningId', '=', 'warnings.id').as('findingCount'),
      )
      .orderBy('warnings.updatedAt', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      enterpriseId: r.enterpriseId,
      enterpriseName: r.enterpriseName,
      title: r.title,
      severity: r.severity as Severity,
      state: r.state as WarningState,
      findingCount: Number(r.findingCount ?? 0),
      deadline: r.deadline,
      cityCode: r.cityCode,
      countyCode: r.countyCode,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
    total: Number(count.n),
  };
}

/** A warning the actor may see, or NOT_FOUND (missing and out of scope look the same). */
export async function visibleWarning(ctx: ServiceContext, actor: Actor, id: string): Promise<WarningTable> {
  const row = await ctx.store.db.selectFrom('warnings').selectAll().where('id', '=', id).where(inScope(actor, { table: 'warnings' })).executeTakeFirst();
  if (!row || (actor.role === 'enterprise-user' && row.state === 'draft')) throw appError('NOT_FOUND');
  return row;
}

export interface WarningFindingView {
  id: string;
  ip: string;
  port: number;
  serviceId: string;
  advisoryId: string;
  advisoryTitle: string | null;
  cves: string[];
  severity: Severity;
  cvss: number | null;
  status: string;
  product: string | null;
  firmware: string | null;
}

export interface WarningDetail extends WarningView {
  issuedAt: string | null;
  verifyRequestedAt: string | null;
  overdueAt: string | null;
  resolvedAt: string | null;
  overdue: boolean;
  findings: WarningFindingView[];
  events: { id: string; kind: string; severity: string; ip: string | null; summary: string; occurredAt: string }[];
  transitions: { from: WarningState; to: WarningState; actor: string | null; note: string | null; at: string }[];
  evidence: { id: string; name: string; contentType: string; size: number; sha256: string; note: string | null; uploadedBy: string | null; uploadedAt: string }[];
  escalations: { reason: string; recipients: { username: string; role: string; regionCode: string | null }[]; at: string }[];
  /** Who was told what, and whether it arrived; empty for the enterprise's own users. */
  notifications: { kind: string; channel: string; recipient: string; status: string; attempts: number; lastError: string | null; createdAt: string; finishedAt: string | null }[];
}

/** States in which the enterprise still owes a fix; a deadline passed in one of them is overdue. */
export const OPEN_STATES: readonly WarningState[] = ['issued', 'acknowledged', 'remediating', 'reopened'];

export async function bundledFindings(ctx: ServiceContext, warningId: string): Promise<WarningFindingView[]> {
  const rows = await ctx.store.db
    .selectFrom('warningFindings')
    .innerJoin('findings', 'findings.id', 'warningFindings.findingId')
    .leftJoin('advisories', 'advisories.id', 'findings.advisoryId')
    .leftJoin('identities', 'identities.serviceId', 'findings.serviceId')
    .select(['findings.id', 'findings.ip', 'findings.port', 'findings.serviceId', 'findings.advisoryId', 'advisories.title as advisoryTitle', 'findings.cves', 'findings.severity', 'findings.cvss', 'findings.status'])
    .select(['identities.vendor', 'identities.product', 'identities.model', 'identities.firmware'])
    .where('warningFindings.warningId', '=', warningId)
    .orderBy('findings.ip')
    .orderBy('findings.port')
    .orderBy('findings.advisoryId')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    ip: r.ip,
    port: r.port,
    serviceId: r.serviceId,
    advisoryId: r.advisoryId,
    advisoryTitle: r.advisoryTitle,
    cves: JSON.parse(r.cves) as string[],
    severity: r.severity as Severity,
    cvss: r.cvss,
    status: r.status,
    product: [r.vendor, r.product, r.model].filter(Boolean).join(' ') || null,
    firmware: r.firmware,
  }));
}

export async function getWarning(ctx: ServiceContext, actor: Actor, id: string): Promise<WarningDetail> {
  if (!can(actor, 'read:warnings')) throw appError('FORBIDDEN');
  const w = await visibleWarning(ctx, actor, id);
  const db = ctx.store.db;
  const findings = await bundledFindings(ctx, id);
  const assetIps = [...new Set(findings.map((f) => f.ip))].slice(0, 500);
  const regulator = actor.role !== 'enterprise-user';
  const [enterprise, events, transitions, evidence, escalations, notifications] = await Promise.all([
    db.selectFrom('enterprises').select('name').where('id', '=', w.enterpriseId).executeTakeFirst(),
    // The warning's own events (overdue) and what happened on its assets since it was opened.
    db
      .selectFrom('events')
      .select(['id', 'kind', 'severity', 'ip', 'summary', 'occurredAt'])
      .where('enterpriseId', '=', w.enterpriseId)
      // Warning events name their warning in the detail (ids are ULIDs: no LIKE wildcards in them).
      .where((eb) => eb.or([eb.and([eb('kind', 'like', 'warning-%'), eb('detail', 'like', `%"warningId":"${w.id}"%`)]), ...(assetIps.length ? [eb('ip', 'in', assetIps)] : [])]))
      .where('occurredAt', '>=', w.createdAt)
      .orderBy('occurredAt', 'desc')
      .limit(100)
      .execute(),
    db.selectFrom('warningTransitions').selectAll().where('warningId', '=', id).orderBy('id').execute(),
    db
      .selectFrom('warningEvidence')
      .select(['id', 'name', 'contentType', 'size', 'sha256', 'note', 'uploadedBy', 'uploadedAt'])
      .where('warningId', '=', id)
      .orderBy('uploadedAt')
      .execute(),
    db.selectFrom('warningEscalations').selectAll().where('warningId', '=', id).orderBy('at').execute(),
    regulator
      ? db
          .selectFrom('notifications')
          .select(['kind', 'channel', 'recipient', 'status', 'attempts', 'lastError', 'createdAt', 'finishedAt'])
          .where('warningId', '=', id)
          .orderBy('createdAt')
          .limit(200)
          .execute()
      : [],
  ]);
  const nowIso = ctx.now().toISOString();
  return {
    id: w.id,
    enterpriseId: w.enterpriseId,
    enterpriseName: enterprise?.name ?? null,
    title: w.title,
    severity: w.severity as Severity,
    state: w.state as WarningState,
    findingCount: findings.length,
    deadline: w.deadline,
    cityCode: w.cityCode,
    countyCode: w.countyCode,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    issuedAt: w.issuedAt,
    verifyRequestedAt: w.verifyRequestedAt,
    overdueAt: w.overdueAt,
    resolvedAt: w.resolvedAt,
    // Once marked by the deadline job a warning stays overdue until it is closed.
    overdue: OPEN_STATES.includes(w.state as WarningState) && (w.overdueAt !== null || (w.deadline !== null && w.deadline < nowIso)),
    findings,
    events,
    transitions: transitions.map((t) => ({ from: t.fromState as WarningState, to: t.toState as WarningState, actor: t.actorName, note: t.note, at: t.at })),
    evidence: evidence.map((e) => ({ ...e, size: Number(e.size) })),
    // Which officials a warning was escalated to is the regulator's business, not the enterprise's.
    escalations: escalations.map((e) => ({
      reason: e.reason,
      recipients: !regulator ? [] : (JSON.parse(e.recipients) as { username: string; role: string; regionCode: string | null }[]).map(({ username, role, regionCode }) => ({ username, role, regionCode })),
      at: e.at,
    })),
    // A webhook URL may carry a token in its query: only its origin is shown.
    notifications: notifications.map((n) => ({ ...n, attempts: Number(n.attempts), recipient: n.channel === 'webhook' ? originOf(n.recipient) : n.recipient })),
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
}
