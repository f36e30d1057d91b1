// Telling people about a warning: e-mail to the enterprise's contacts and to escalation
// recipients, and one signed webhook per step. Every delivery is a row in `notifications`
// (pending → sent | failed, with the attempts it took), so "was the enterprise told?" has an answer.
import { newId, type Severity, type WarningState } from '../model/index.ts';
import { postWebhook, sendMail, withRetry, DEFAULT_RETRY, type RetryPolicy } from '../notify/index.ts';
import type { ServiceContext } from './context.ts';

export type NotificationKind = 'warning-issued' | 'warning-overdue' | 'warning-resolved' | 'warning-reopened';

export interface WarningSummary {
  id: string;
  title: string;
  enterpriseId: string;
  enterpriseName: string | null;
  severity: Severity;
  state: WarningState;
  deadline: string | null;
  cityCode: string | null;
  countyCode: string | null;
  findingCount: number;
}

export interface NotificationPlan {
  kind: NotificationKind;
  warning: WarningSummary;
  /** E-mail addresses; duplicates are sent once. */
  emails: string[];
  /** Extra facts for the webhook body (e.g. the escalation recipients). */
  detail?: Record<string, unknown>;
}

const SEVERITY_ZH: Record<Severity, string> = { critical: '严重', high: '高危', medium: '中危', low: '低危', none: '无' };
export const STATE_ZH: Record<WarningState, string> = {
  draft: '草稿',
  issued: '已下发',
  acknowledged: '已签收',
  remediating: '整改中',
  verifying: '复核中',
  resolved: '已闭环',
  reopened: '复核未通过',
};
export const severityZh = (s: Severity): string => SEVERITY_ZH[s] ?? s;

/** Beijing time (UTC+8, no daylight saving) as the letters are read in it. */
export function beijingTime(iso: string | null): string {
  if (!iso) return '—';
  return `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')}（北京时间）`;
}

const ADDRESS = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;
export const isAddress = (s: string | null | undefined): s is string => !!s && s.length <= 254 && ADDRESS.test(s);

export function mailFor(kind: NotificationKind, w: WarningSummary): { subject: string; text: string } {
  const who = w.enterpriseName ?? w.enterpriseId;
  const facts = [`预警编号：${w.id}`, `涉及漏洞风险：${w.findingCount} 项，最高等级：${severityZh(w.severity)}`, `整改期限：${beijingTime(w.deadline)}`, `当前状态：${STATE_ZH[w.state]}`].join('\n');
  switch (kind) {
    case 'warning-issued':
      return {
        subject: `【风险预警】${w.title}`,
        text: `${who}：\n\n监测发现贵单位联网工业控制系统存在安全漏洞风险，现予预警。请在整改期限前完成整改，并登录平台签收预警、上传整改证据、申请复核。\n\n${facts}\n`,
      };
    case 'warning-overdue':
      return {
        subject: `【预警逾期】${w.title}`,
        text: `预警“${w.title}”（企业：${who}）已超过整改期限仍未闭环，现升级通报属地县（区）、市级监管人员督促整改。\n\n${facts}\n`,
      };
    case 'warning-resolved':
      return { subject: `【预警闭环】${w.title}`, text: `${who}：\n\n复核监测确认相关漏洞风险已整改，预警闭环。\n\n${facts}\n` };
    case 'warning-reopened':
      return { subject: `【复核未通过】${w.title}`, text: `${who}：\n\n复核监测显示相关漏洞风险仍然存在，预警重新打开，请继续整改后再次申请复核。\n\n${facts}\n` };
  }
}

// Deliveries started by API requests run after the answer; tests and shutdown wait for them here.
const pending = new WeakMap<ServiceContext, Set<Promise<void>>>();
const policies = new WeakMap<ServiceContext, RetryPolicy>();

/** Retry policy for this platform's deliveries (tests shorten the waits). */
export function setRetryPolicy(ctx: ServiceContext, policy: RetryPolicy): void {
  policies.set(ctx, policy);
}

/** Runs the plan without making the caller wait; `settleNotifications` waits for all of them. */
export function notifyLater(ctx: ServiceContext, plan: NotificationPlan): void {
  const set = pending.get(ctx) ?? new Set();
  pending.set(ctx, set);
  // Delivery failures are recorded by notify itself; what could still throw here is the store
  // (closed under a finished request), and the request that caused the plan is already answered.
  const p = notify(ctx, plan).catch(() => undefined).finally(() => set.delete(p));
  set.add(p);
}

export async function settleNotifications(ctx: ServiceContext): Promise<void> {
  const set = pending.get(ctx);
  while (set?.size) await Promise.all([...set]);
}

/** Sends the plan on every configured channel and records each delivery. */
export async function notify(ctx: ServiceContext, plan: NotificationPlan): Promise<void> {
  const { subject, text } = mailFor(plan.kind, plan.warning);
  const policy = policies.get(ctx) ?? DEFAULT_RETRY;
  const jobs: Promise<void>[] = [];
  const { smtpHost, smtpPort, smtpSecure, smtpFrom, webhookUrl, webhookSecret } = ctx.config;
  if (smtpHost) {
    for (const to of new Set(plan.emails.filter(isAddress))) {
      jobs.push(deliver(ctx, plan, 'email', to, subject, policy, () => sendMail({ host: smtpHost, port: smtpPort, secure: smtpSecure, from: smtpFrom }, { to: [to], subject, text })));
    }
  }
  if (webhookUrl) {
    const body = { type: plan.kind, occurredAt: ctx.now().toISOString(), warning: plan.warning, ...plan.detail };
    jobs.push(deliver(ctx, plan, 'webhook', webhookUrl, subject, policy, () => postWebhook({ url: webhookUrl, secret: webhookSecret }, body)));
  }
  await Promise.all(jobs);
}

async function deliver(ctx: ServiceContext, plan: NotificationPlan, channel: 'email' | 'webhook', recipient: string, subject: string, policy: RetryPolicy, send: () => Promise<void>): Promise<void> {
  const id = newId();
  const db = ctx.store.db;
  await db
    .insertInto('notifications')
    .values({ id, warningId: plan.warning.id, kind: plan.kind, channel, recipient, subject, status: 'pending', attempts: 0, lastError: null, createdAt: ctx.now().toISOString(), finishedAt: null })
    .execute();
  const outcome = await withRetry(send, policy);
  await db
    .updateTable('notifications')
    .set({ status: outcome.ok ? 'sent' : 'failed', attempts: outcome.attempts, lastError: outcome.error?.slice(0, 1000) ?? null, finishedAt: ctx.now().toISOString() })
    .where('id', '=', id)
    .execute();
}
