// The warning loop's steps (预警 → 整改 → 复核) as use-cases. The regulator issues; the enterprise
// acknowledges, remediates, uploads evidence and asks for verification; the platform resolves or
// reopens on fresh evidence (warning-verification.ts). Each step is one guarded UPDATE (the state
// it leaves must still be the state it found), one transition row and one audit entry, in one
// transaction. Checks run in the order: may the role ever do this (403) → may it see this warning
// (404, like a missing one) → does the state allow it (409 INVALID_TRANSITION).
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { appError } from '../errors.ts';
import { newId, type Actor, type Severity, type WarningState } from '../model/index.ts';
import { can } from '../access/index.ts';
import type { Database, WarningTable } from '../storage/index.ts';
import type { ServiceContext, ReprobeTarget } from './context.ts';
import { audit } from './audit.ts';
import { warningDeadline } from './severity.ts';
import { getWarning, visibleWarning, type WarningDetail } from './warnings.ts';
import { notifyLater, isAddress, type NotificationKind, type WarningSummary } from './warning-notifications.ts';

export type WarningStep = 'issue' | 'acknowledge' | 'remediate' | 'verify' | 'resolve' | 'reopen';

/** The state machine: the states a step may leave, and the state it reaches. */
export const TRANSITIONS: Record<WarningStep, { from: readonly WarningState[]; to: WarningState }> = {
  issue: { from: ['draft'], to: 'issued' },
  acknowledge: { from: ['issued', 'reopened'], to: 'acknowledged' },
  remediate: { from: ['acknowledged', 'reopened'], to: 'remediating' },
  verify: { from: ['remediating'], to: 'verifying' },
  resolve: { from: ['verifying'], to: 'resolved' },
  reopen: { from: ['verifying'], to: 'reopened' },
};

/** Evidence is uploaded while the enterprise works on the fix. */
const EVIDENCE_STATES: readonly WarningState[] = ['acknowledged', 'remediating', 'reopened'];

export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
export const MAX_NOTE = 2000;

const isRegulator = (a: Actor) => can(a, 'write:warnings');
const isEnterpriseUser = (a: Actor) => a.role === 'enterprise-user' && can(a, 'read:warnings');

// Transition ids must sort in the order the steps happened, also when two land in one millisecond
// (newId's random tail would not): within a millisecond the next id is the previous one plus one,
// as ULID's monotonic mode does it.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastId = '';
function nextTransitionId(now: Date): string {
  const id = newId(now.getTime());
  if (lastId && id.slice(0, 10) <= lastId.slice(0, 10)) {
    const digits = [...lastId];
    for (let i = digits.length - 1; i >= 10; i--) {
      const v = CROCKFORD.indexOf(digits[i]);
      if (v < 31) {
        digits[i] = CROCKFORD[v + 1];
        break;
      }
      digits[i] = '0';
    }
    lastId = digits.join('');
  } else lastId = id;
  return lastId;
}

/**
 * Moves one warning along TRANSITIONS inside `trx`. `actor` null = the platform itself.
 * Throws INVALID_TRANSITION when another step got there first or the state does not allow it.
 */
export async function transition(
  ctx: ServiceContext,
  trx: Transaction<Database>,
  actor: Actor | null,
  warning: Pick<WarningTable, 'id' | 'state'>,
  step: WarningStep,
  note: string | null,
  set: Partial<WarningTable> = {},
  detail: Record<string, unknown> = {},
): Promise<void> {
  const { from, to } = TRANSITIONS[step];
  const state = warning.state as WarningState;
  if (!from.includes(state)) throw appError('INVALID_TRANSITION', `cannot ${step} a warning that is ${state} (allowed from: ${from.join(', ')})`);
  const now = ctx.now();
  const at = now.toISOString();
  const r = await trx.updateTable('warnings').set({ ...set, state: to, updatedAt: at }).where('id', '=', warning.id).where('state', '=', state).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw appError('INVALID_TRANSITION', `the warning changed state while this ${step} was on its way`);
  await trx
    .insertInto('warningTransitions')
    .values({ id: nextTransitionId(now), warningId: warning.id, fromState: state, toState: to, actorId: actor?.userId ?? null, actorName: actor?.username ?? null, note, at })
    .execute();
  await audit(trx, actor, `warning.${step}`, 'warning', warning.id, { from: state, to, ...(note ? { note } : {}), ...detail }, now);
}

async function step(ctx: ServiceContext, actor: Actor, id: string, s: WarningStep, allowed: (a: Actor) => boolean, note: string | null, set: (w: WarningTable) => Partial<WarningTable> = () => ({})): Promise<WarningTable> {
  if (!allowed(actor)) throw appError('FORBIDDEN');
  const w = await visibleWarning(ctx, actor, id);
  await ctx.store.db.transaction().execute(async (trx) => {
    // Serialised with ingest, which adds findings to drafts: a draft is issued with the findings
    // (and the severity, hence the deadline) it has at this moment, and later ones open a new draft.
    await ctx.store.lockWriters(trx);
    const current = await trx.selectFrom('warnings').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow();
    await transition(ctx, trx, actor, current, s, note, set(current));
  });
  return w;
}

function cleanNote(note: string | undefined | null): string | null {
  const t = note?.trim();
  if (!t) return null;
  if (t.length > MAX_NOTE) throw appError('VALIDATION_FAILED', `a note has at most ${MAX_NOTE} characters`);
  return t;
}

/** Regulator in scope: draft → issued; the deadline runs from now by the warning's severity. */
export async function issueWarning(ctx: ServiceContext, actor: Actor, id: string, input: { note?: string } = {}): Promise<WarningDetail> {
  const now = ctx.now();
  await step(ctx, actor, id, 'issue', isRegulator, cleanNote(input.note), (w) => ({ issuedAt: now.toISOString(), deadline: warningDeadline(w.severity as Severity, now) }));
  const detail = await getWarning(ctx, actor, id);
  notifyLater(ctx, { kind: 'warning-issued', warning: summaryOf(detail), emails: await enterpriseAddresses(ctx, detail.enterpriseId) });
  return detail;
}

/** The enterprise's user: issued | reopened → acknowledged (签收), with a note. */
export async function acknowledgeWarning(ctx: ServiceContext, actor: Actor, id: string, input: { note: string }): Promise<WarningDetail> {
  await step(ctx, actor, id, 'acknowledge', isEnterpriseUser, requiredNote(input.note));
  return getWarning(ctx, actor, id);
}

/** The enterprise's user: acknowledged | reopened → remediating (整改中), saying what is being done. */
export async function remediateWarning(ctx: ServiceContext, actor: Actor, id: string, input: { note: string }): Promise<WarningDetail> {
  await step(ctx, actor, id, 'remediate', isEnterpriseUser, requiredNote(input.note));
  return getWarning(ctx, actor, id);
}

function requiredNote(note: string | undefined): string {
  const t = cleanNote(note);
  if (!t) throw appError('VALIDATION_FAILED', 'a note is required');
  return t;
}

/**
 * The enterprise's user or a regulator in scope: remediating → verifying (复核). From now on only
 * observations newer than this request count as evidence; the reprober, when there is one, is
 * asked to produce them.
 */
export async function requestVerification(ctx: ServiceContext, actor: Actor, id: string, input: { note?: string } = {}): Promise<WarningDetail> {
  const at = ctx.now().toISOString();
  await step(ctx, actor, id, 'verify', (a) => isRegulator(a) || isEnterpriseUser(a), cleanNote(input.note), () => ({ verifyRequestedAt: at }));
  if (ctx.reprober) {
    const targets = await reprobeTargets(ctx, id);
    // The step is already taken; a scanner that cannot be reached leaves the warning waiting for
    // the next scheduled scan, which counts just the same, so the failure is recorded, not thrown.
    await ctx.reprober.reprobe(targets).catch((e: unknown) => audit(ctx.store.db, null, 'warning.reprobe-failed', 'warning', id, { error: String((e as Error)?.message ?? e).slice(0, 500), services: targets.length }, ctx.now()));
  }
  return getWarning(ctx, actor, id);
}

export async function reprobeTargets(ctx: ServiceContext, warningId: string): Promise<ReprobeTarget[]> {
  return ctx.store.db
    .selectFrom('warningFindings')
    .innerJoin('findings', 'findings.id', 'warningFindings.findingId')
    .innerJoin('services', 'services.id', 'findings.serviceId')
    .select(['services.id as serviceId', 'findings.ip', 'services.port', 'services.transport', 'services.protocol'])
    .where('warningFindings.warningId', '=', warningId)
    .distinct()
    .execute();
}

export interface EvidenceInput {
  name: string;
  contentType: string;
  /** The file, base64 (RFC 4648 §4). */
  content: string;
  note?: string;
}

// One character class and a length test: a grouped pattern backtracks (and overflows V8's stack) on megabytes.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (s: string) => s.length % 4 === 0 && BASE64_CHARS.test(s);

/** The enterprise's user attaches a remediation record (report, screenshot, upgrade log). */
export async function addEvidence(ctx: ServiceContext, actor: Actor, id: string, input: EvidenceInput): Promise<WarningDetail['evidence'][number]> {
  if (!isEnterpriseUser(actor)) throw appError('FORBIDDEN');
  const w = await visibleWarning(ctx, actor, id);
  if (!EVIDENCE_STATES.includes(w.state as WarningState)) throw appError('INVALID_TRANSITION', `evidence is taken while a warning is ${EVIDENCE_STATES.join(', ')}; this one is ${w.state}`);
  if (input.content.length > Math.ceil(MAX_EVIDENCE_BYTES / 3) * 4) throw appError('EVIDENCE_TOO_LARGE', `at most ${MAX_EVIDENCE_BYTES} bytes`);
  if (!isBase64(input.content)) throw appError('INVALID_EVIDENCE');
  const bytes = Buffer.from(input.content, 'base64');
  if (bytes.length === 0) throw appError('INVALID_EVIDENCE');
  if (bytes.length > MAX_EVIDENCE_BYTES) throw appError('EVIDENCE_TOO_LARGE', `at most ${MAX_EVIDENCE_BYTES} bytes`);
  // Only the file's own name: a path from the uploader's disk says nothing and could mislead.
  const name = input.name.split(/[\\/]/).pop()!.trim() || 'evidence';
  const now = ctx.now();
  const row = {
    id: newId(now.getTime()),
    warningId: id,
    name,
    contentType: input.contentType.toLowerCase(),
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    content: bytes.toString('base64'),
    note: cleanNote(input.note),
    uploadedBy: actor.username,
    uploadedAt: now.toISOString(),
  };
  await ctx.store.db.transaction().execute(async (trx) => {
    await trx.insertInto('warningEvidence').values(row).execute();
    await trx.updateTable('warnings').set({ updatedAt: row.uploadedAt }).where('id', '=', id).execute();
    await audit(trx, actor, 'warning.evidence', 'warning', id, { evidenceId: row.id, name, contentType: row.contentType, size: row.size, sha256: row.sha256 }, now);
  });
  const { content: _content, warningId: _w, ...view } = row;
  return view;
}

/** One evidence file's bytes, for whoever may see the warning. */
export async function getEvidence(ctx: ServiceContext, actor: Actor, id: string, evidenceId: string): Promise<{ name: string; contentType: string; sha256: string; bytes: Buffer }> {
  if (!can(actor, 'read:warnings')) throw appError('FORBIDDEN');
  await visibleWarning(ctx, actor, id);
  const e = await ctx.store.db.selectFrom('warningEvidence').selectAll().where('id', '=', evidenceId).where('warningId', '=', id).executeTakeFirst();
  if (!e) throw appError('NOT_FOUND');
  return { name: e.name, contentType: e.contentType, sha256: e.sha256, bytes: Buffer.from(e.content, 'base64') };
}

export function summaryOf(w: WarningDetail | (WarningTable & { enterpriseName: string | null; findingCount: number })): WarningSummary {
  return {
    id: w.id,
    title: w.title,
    enterpriseId: w.enterpriseId,
    enterpriseName: w.enterpriseName,
    severity: w.severity as Severity,
    state: w.state as WarningState,
    deadline: w.deadline,
    cityCode: w.cityCode,
    countyCode: w.countyCode,
    findingCount: w.findingCount,
  };
}

/** The e-mail addresses among an enterprise's registered contacts. */
export async function enterpriseAddresses(ctx: ServiceContext, enterpriseId: string): Promise<string[]> {
  const e = await ctx.store.db.selectFrom('enterprises').select('contacts').where('id', '=', enterpriseId).executeTakeFirst();
  let contacts: unknown = [];
  try {
    contacts = JSON.parse(e?.contacts ?? '[]');
  } catch {
    return [];
  }
  return Array.isArray(contacts) ? contacts.map((c) => (c as { email?: string }).email).filter(isAddress) : [];
}

export type { NotificationKind };
