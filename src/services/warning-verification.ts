// Verification by evidence (复核): a warning in `verifying` resolves only when observations made
// after the verification request show every bundled finding fixed, and reopens as soon as one of
// them shows a finding still open. For each finding, the newest observation of its service with an
// identity, made after the request, decides:
//   - the finding is `fixed` (matching closed it: the identity moved out of the affected range) → fixed;
//   - the finding is still `open` → not fixed (the device still answers with an affected identity).
// With no such observation, the service counts as no longer exposed when a sensor that has seen
// this service before observed the same host after the request without seeing the service at all
// (the scan found the host, and the port no longer answered) — and that at least GONE_SETTLE_MS
// ago, because a scan reports a host's ports in more than one batch: a port missing from the
// first batch is not yet a port that is closed. Anything else is not yet evidence:
// the warning stays in `verifying` until the next ingest that touches its assets, or the sweep.
import type { WarningState } from '../model/index.ts';
import { chunkSize } from '../storage/index.ts';
import type { ServiceContext } from './context.ts';
import { enterpriseAddresses, summaryOf, transition } from './warning-actions.ts';
import { notifyLater } from './warning-notifications.ts';

export const GONE_SETTLE_MS = 60 * 60_000;

export type FindingVerdict = 'fixed' | 'gone' | 'open' | 'no-evidence';
export type VerificationOutcome = 'resolved' | 'reopened' | 'pending';

interface Judged {
  findingId: string;
  ip: string;
  port: number;
  verdict: FindingVerdict;
  observationId: string | null;
  observedAt: string | null;
}

/** Judges one warning in `verifying`; null when it is not (any more) in that state. */
export async function evaluateVerification(ctx: ServiceContext, warningId: string): Promise<VerificationOutcome | null> {
  const db = ctx.store.db;
  const w = await db.selectFrom('warnings').selectAll().where('id', '=', warningId).executeTakeFirst();
  if (!w || w.state !== 'verifying' || !w.verifyRequestedAt) return null;
  const since = w.verifyRequestedAt;
  const findings = await db
    .selectFrom('warningFindings')
    .innerJoin('findings', 'findings.id', 'warningFindings.findingId')
    .innerJoin('services', 'services.id', 'findings.serviceId')
    .select(['findings.id', 'findings.assetId', 'findings.ip', 'findings.port', 'findings.status', 'services.transport'])
    .where('warningFindings.warningId', '=', warningId)
    .execute();
  const judged: Judged[] = [];
  for (const f of findings) {
    const service = db.selectFrom('observations').where('assetId', '=', f.assetId).where('port', '=', f.port).where('transport', '=', f.transport);
    const identified = await service
      .select(['id', 'observedAt'])
      .where('observedAt', '>', since)
      .where('identity', '!=', '{}')
      .orderBy('observedAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    const base = { findingId: f.id, ip: f.ip, port: f.port };
    if (identified) {
      judged.push({ ...base, verdict: f.status === 'fixed' ? 'fixed' : 'open', observationId: identified.id, observedAt: identified.observedAt });
      continue;
    }
    const seenSince = await service.select('id').where('observedAt', '>', since).limit(1).executeTakeFirst();
    const hostSeen = seenSince
      ? undefined
      : await db
          .selectFrom('observations')
          .select(['id', 'observedAt'])
          .where('assetId', '=', f.assetId)
          .where('observedAt', '>', since)
          .where('observedAt', '<=', new Date(ctx.now().getTime() - GONE_SETTLE_MS).toISOString())
          .where('source', 'in', service.select('source').distinct())
          .orderBy('observedAt', 'desc')
          .limit(1)
          .executeTakeFirst();
    judged.push(hostSeen ? { ...base, verdict: 'gone', observationId: hostSeen.id, observedAt: hostSeen.observedAt } : { ...base, verdict: 'no-evidence', observationId: null, observedAt: null });
  }
  const outcome: VerificationOutcome = judged.some((j) => j.verdict === 'open')
    ? 'reopened'
    : judged.length > 0 && judged.every((j) => j.verdict === 'fixed' || j.verdict === 'gone')
      ? 'resolved'
      : 'pending';
  if (outcome === 'pending') return outcome;
  const at = ctx.now().toISOString();
  const applied = await db.transaction().execute(async (trx) => {
    // Another evaluation (the sweep, a parallel ingest) may have judged it already, or the
    // enterprise asked again: only the request this judgement was made against is closed by it.
    const current = await trx.selectFrom('warnings').select(['id', 'state', 'verifyRequestedAt']).where('id', '=', warningId).executeTakeFirst();
    if (!current || current.state !== 'verifying' || current.verifyRequestedAt !== since) return false;
    const evidence = judged.map((j) => ({ finding: j.findingId, endpoint: `${j.ip}:${j.port}`, verdict: j.verdict, observation: j.observationId, observedAt: j.observedAt }));
    const note = outcome === 'resolved' ? '复核通过：验证请求之后的监测显示全部漏洞已修复或服务已不再暴露' : `复核未通过：${judged.filter((j) => j.verdict === 'open').map((j) => `${j.ip}:${j.port}`).join('、')} 仍存在漏洞`;
    await transition(ctx, trx, null, current, outcome === 'resolved' ? 'resolve' : 'reopen', note, outcome === 'resolved' ? { resolvedAt: at } : {}, { verifyRequestedAt: since, evidence });
    return true;
  });
  if (!applied) return null;
  const after = await db
    .selectFrom('warnings')
    .leftJoin('enterprises', 'enterprises.id', 'warnings.enterpriseId')
    .selectAll('warnings')
    .select('enterprises.name as enterpriseName')
    .where('warnings.id', '=', warningId)
    .executeTakeFirstOrThrow();
  notifyLater(ctx, { kind: outcome === 'resolved' ? 'warning-resolved' : 'warning-reopened', warning: summaryOf({ ...after, findingCount: findings.length }), emails: await enterpriseAddresses(ctx, w.enterpriseId) });
  return outcome;
}

/** After an ingest: judges the warnings in `verifying` that bundle a finding on one of these addresses. */
export async function verifyTouched(ctx: ServiceContext, ips: string[]): Promise<Map<string, VerificationOutcome>> {
  const unique = [...new Set(ips)];
  const ids = new Set<string>();
  const size = chunkSize(ctx.store, 1);
  for (let i = 0; i < unique.length; i += size) {
    const rows = await ctx.store.db
      .selectFrom('warnings')
      .innerJoin('warningFindings', 'warningFindings.warningId', 'warnings.id')
      .innerJoin('findings', 'findings.id', 'warningFindings.findingId')
      .select('warnings.id')
      .distinct()
      .where('warnings.state', '=', 'verifying' satisfies WarningState)
      .where('findings.ip', 'in', unique.slice(i, i + size))
      .execute();
    for (const r of rows) ids.add(r.id);
  }
  return judgeAll(ctx, [...ids]);
}

/** The periodic backstop: every warning in `verifying`, oldest request first, a bounded number per run. */
export async function sweepVerifications(ctx: ServiceContext, limit = 500): Promise<Map<string, VerificationOutcome>> {
  const rows = await ctx.store.db
    .selectFrom('warnings')
    .select('id')
    .where('state', '=', 'verifying' satisfies WarningState)
    .orderBy('verifyRequestedAt')
    .limit(limit)
    .execute();
  return judgeAll(ctx, rows.map((r) => r.id));
}

async function judgeAll(ctx: ServiceContext, ids: string[]): Promise<Map<string, VerificationOutcome>> {
  const out = new Map<string, VerificationOutcome>();
  for (const id of ids) {
    const o = await evaluateVerification(ctx, id);
    if (o) out.set(id, o);
  }
  return out;
}
