// Deadlines and escalation: a warning still owed a fix after its deadline is marked overdue once,
// gets a `warning-overdue` event, and is escalated to the county and city analysts of the
// enterprise's region (users with those roles and the enterprise's county or city code), who are
// told by e-mail along with the enterprise's contacts. The periodic job also sweeps verifications.
import { newId, type Severity } from '../model/index.ts';
import type { ServiceContext } from './context.ts';
import { audit } from './audit.ts';
import { CounterDeltas } from './counters.ts';
import { recordEvents } from './events.ts';
import { OPEN_STATES } from './warnings.ts';
import { enterpriseAddresses, summaryOf } from './warning-actions.ts';
import { isAddress, notify, settleNotifications } from './warning-notifications.ts';
import { sweepVerifications, type VerificationOutcome } from './warning-verification.ts';

export interface EscalationRecipient {
  userId: string;
  username: string;
  role: 'county-analyst' | 'city-analyst';
  regionCode: string;
}

/** Marks every newly overdue warning, escalates it and waits for the notifications. Returns their ids. */
export async function markOverdue(ctx: ServiceContext, limit = 500): Promise<string[]> {
  const db = ctx.store.db;
  const now = ctx.now();
  const nowIso = now.toISOString();
  const due = await db
    .selectFrom('warnings')
    .leftJoin('enterprises', 'enterprises.id', 'warnings.enterpriseId')
    .selectAll('warnings')
    .select(['enterprises.name as enterpriseName', 'enterprises.cityCode as enterpriseCity', 'enterprises.countyCode as enterpriseCounty'])
    .select((eb) => eb.selectFrom('warningFindings').select((e2) => e2.fn.countAll<number>().as('n')).whereRef('warningFindings.warningId', '=', 'warnings.id').as('findingCount'))
    .where('warnings.state', 'in', [...OPEN_STATES])
    .where('warnings.deadline', '<', nowIso)
    .where('warnings.overdueAt', 'is', null)
    .orderBy('warnings.deadline')
    .limit(limit)
    .execute();
  const marked: string[] = [];
  for (const w of due) {
    // The enterprise's own county and city (registered), which is where its warnings are placed too.
    const recipients = await escalationRecipients(ctx, w.enterpriseCounty ?? w.countyCode, w.enterpriseCity ?? w.cityCode);
    const done = await db.transaction().execute(async (trx) => {
      // Once per warning, even with two jobs running on two hosts.
      const r = await trx.updateTable('warnings').set({ overdueAt: nowIso }).where('id', '=', w.id).where('overdueAt', 'is', null).where('state', 'in', [...OPEN_STATES]).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const counters = new CounterDeltas();
      const place = { provinceCode: w.provinceCode ?? ctx.regions.province.code, cityCode: w.cityCode, countyCode: w.countyCode, enterpriseId: w.enterpriseId };
      await recordEvents(
        ctx,
        trx,
        [
          {
            kind: 'warning-overdue',
            severity: w.severity as Severity,
            assetId: null,
            ip: null,
            place,
            source: 'otscope',
            summary: `预警逾期未闭环：${w.title}（期限 ${w.deadline}，状态 ${w.state}）`,
            detail: { warningId: w.id, deadline: w.deadline, state: w.state },
            occurredAt: nowIso,
          },
        ],
        counters,
        nowIso,
      );
      await counters.apply(ctx.store, trx);
      const reason = `overdue: deadline ${w.deadline} passed in state ${w.state}`;
      await trx.insertInto('warningEscalations').values({ id: newId(now.getTime()), warningId: w.id, reason, recipients: JSON.stringify(recipients), at: nowIso }).execute();
      await audit(trx, null, 'warning.escalate', 'warning', w.id, { reason, recipients: recipients.map((u) => u.username) }, now);
      return true;
    });
    if (!done) continue;
    marked.push(w.id);
    const emails = [...recipients.map((u) => u.username).filter(isAddress), ...(await enterpriseAddresses(ctx, w.enterpriseId))];
    await notify(ctx, {
      kind: 'warning-overdue',
      warning: summaryOf({ ...w, findingCount: Number(w.findingCount ?? 0) }),
      emails,
      detail: { escalatedTo: recipients.map(({ username, role, regionCode }) => ({ username, role, regionCode })) },
    });
  }
  return marked;
}

/**
 * The county analysts of the enterprise's county and the city analysts of its city. Users carry no
 * separate e-mail field: a username that is an e-mail address is where their mail goes.
 */
export async function escalationRecipients(ctx: ServiceContext, countyCode: string | null, cityCode: string | null): Promise<EscalationRecipient[]> {
  const pairs: [EscalationRecipient['role'], string][] = [];
  if (countyCode) pairs.push(['county-analyst', countyCode]);
  if (cityCode) pairs.push(['city-analyst', cityCode]);
  if (!pairs.length) return [];
  const rows = await ctx.store.db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'regionCode'])
    .where('disabled', '=', 0)
    .where((eb) => eb.or(pairs.map(([role, code]) => eb.and([eb('role', '=', role), eb('regionCode', '=', code)]))))
    .orderBy('role', 'desc')
    .orderBy('username')
    .execute();
  return rows.map((r) => ({ userId: r.id, username: r.username, role: r.role as EscalationRecipient['role'], regionCode: r.regionCode! }));
}

export interface WarningJobResult {
  overdue: string[];
  verified: Map<string, VerificationOutcome>;
}

/** One run of the periodic job. */
export async function runWarningJobs(ctx: ServiceContext): Promise<WarningJobResult> {
  const overdue = await markOverdue(ctx);
  const verified = await sweepVerifications(ctx);
  return { overdue, verified };
}

export interface WarningJobs {
  /** Stops the timer, waits for a run in progress and for notifications still being delivered. */
  stop(): Promise<void>;
}

/** Starts the periodic job (config.warningJobIntervalMs; 0 = never). Runs never overlap. */
export function startWarningJobs(ctx: ServiceContext, onError: (e: unknown) => void = () => {}): WarningJobs {
  const every = ctx.config.warningJobIntervalMs;
  let running: Promise<unknown> | null = null;
  const timer = every > 0
    ? setInterval(() => {
        if (running) return;
        running = runWarningJobs(ctx).catch(onError).finally(() => (running = null));
      }, every)
    : null;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await settleNotifications(ctx);
    },
  };
}

