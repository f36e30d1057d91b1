// The bulletin (通报) of a warning, for whoever may see the warning: the warning's findings, one
// table row per CVE, with the remediation advice the advisories give for those CVEs.
import { appError } from '../errors.ts';
import type { Actor, WarningState } from '../model/index.ts';
import { can } from '../access/index.ts';
import { buildBulletin, type BulletinFinding } from '../bulletin/index.ts';
import type { ServiceContext } from './context.ts';
import { bundledFindings, visibleWarning } from './warnings.ts';
import { beijingTime, STATE_ZH } from './warning-notifications.ts';

interface AdvisoryCve {
  cve: string;
  cvss: number | null;
  severity: string;
  remediations?: { category: string; details: string; url?: string }[];
}

export async function warningBulletin(ctx: ServiceContext, actor: Actor, id: string): Promise<{ filename: string; bytes: Buffer }> {
  if (!can(actor, 'read:warnings')) throw appError('FORBIDDEN');
  const w = await visibleWarning(ctx, actor, id);
  const db = ctx.store.db;
  const enterprise = await db.selectFrom('enterprises').select(['name', 'creditCode']).where('id', '=', w.enterpriseId).executeTakeFirst();
  const findings = await bundledFindings(ctx, id);
  const advisoryIds = [...new Set(findings.map((f) => f.advisoryId))];
  const advisories = advisoryIds.length ? await db.selectFrom('advisories').select(['id', 'title', 'cves']).where('id', 'in', advisoryIds).execute() : [];
  const cveInfo = new Map<string, AdvisoryCve[]>(advisories.map((a) => [a.id, JSON.parse(a.cves) as AdvisoryCve[]]));
  const rows: BulletinFinding[] = [];
  for (const f of findings) {
    const known = cveInfo.get(f.advisoryId) ?? [];
    for (const cve of f.cves.length ? f.cves : ['—']) {
      const c = known.find((k) => k.cve === cve);
      rows.push({ ip: f.ip, port: f.port, product: f.product, firmware: f.firmware, cve, severity: c?.severity ?? f.severity, cvss: c?.cvss ?? f.cvss });
    }
  }
  const remediations = advisories.map((a) => {
    const used = new Set(findings.filter((f) => f.advisoryId === a.id).flatMap((f) => f.cves));
    const entries = (cveInfo.get(a.id) ?? []).filter((c) => used.has(c.cve));
    const advice = [...new Set(entries.flatMap((c) => (c.remediations ?? []).map((r) => (r.url ? `${r.details}（${r.url}）` : r.details))))];
    return { advisoryId: a.id, advisoryTitle: a.title, cves: [...used].sort(), advice };
  });
  const province = ctx.regions.province;
  const region = [province.code, w.cityCode, w.countyCode].flatMap((c) => (c ? [ctx.regions.get(c)?.name ?? c] : []));
  const today = beijingTime(ctx.now().toISOString());
  const bytes = await buildBulletin({
    warningId: w.id,
    enterpriseName: enterprise?.name ?? w.enterpriseId,
    creditCode: enterprise?.creditCode ?? null,
    region: [...new Set(region)],
    severity: w.severity,
    state: STATE_ZH[w.state as WarningState] ?? w.state,
    issuedAt: w.issuedAt ? beijingTime(w.issuedAt) : null,
    deadline: w.deadline ? beijingTime(w.deadline) : null,
    findings: rows,
    remediations,
    office: ctx.config.bulletinOffice ?? `${province.name}工业和信息化厅`,
    date: `${today.slice(0, 4)}年${Number(today.slice(5, 7))}月${Number(today.slice(8, 10))}日`,
  });
  return { filename: `bulletin-${w.id}.docx`, bytes };
}
