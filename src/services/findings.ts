import type { ExpressionBuilder } from 'kysely';
import { appError } from '../errors.ts';
import type { Database } from '../storage/index.ts';
import type { Actor, Confidence, Severity } from '../model/index.ts';
import { can, inScope, scopeKind } from '../access/index.ts';
import type { ServiceContext } from './context.ts';
import { page, type Page, type PageQuery } from './paging.ts';

export interface FindingQuery extends PageQuery {
  ip?: string;
  cve?: string;
  enterprise?: string;
  confidence?: Confidence;
  status?: string;
}

export interface FindingView {
  id: string;
  ip: string;
  port: number;
  assetId: string;
  serviceId: string;
  advisoryId: string;
  advisoryTitle: string | null;
  cves: string[];
  confidence: Confidence;
  reason: string;
  severity: Severity;
  cvss: number | null;
  status: string;
  enterpriseId: string | null;
  cityCode: string | null;
  countyCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export async function listFindings(ctx: ServiceContext, actor: Actor, q: FindingQuery): Promise<Page<FindingView>> {
  if (!can(actor, 'read:findings')) throw appError('FORBIDDEN');
  // A city or county analyst's findings are those of the assets in that place, found through the
  // assets' place indexes: findings keep no place index of their own (each would cost every new
  // finding a b-tree insert at ingest). Province and enterprise scope test the finding's own columns.
  const kind = scopeKind(actor.role);
  const scope =
    kind === 'city' || kind === 'county'
      ? (eb: ExpressionBuilder<Database, 'findings'>) => eb('findings.assetId', 'in', eb.selectFrom('assets').select('assets.id').where(inScope(actor, { table: 'assets' })))
      : inScope(actor, { table: 'findings' });
  let query = ctx.store.db.selectFrom('findings').where(scope).where('findings.status', '=', q.status ?? 'open');
  // Through the asset: findings carry no address index (ingest writes each finding into every one).
  if (q.ip) query = query.where('findings.assetId', 'in', (eb) => eb.selectFrom('assets').select('assets.id').where('assets.ip', '=', q.ip!));
  if (q.enterprise) query = query.where('findings.enterpriseId', '=', q.enterprise);
  if (q.confidence) query = query.where('findings.confidence', '=', q.confidence);
  // CVE lists are JSON text; a quoted match cannot hit a longer id (CVE-2020-1 vs CVE-2020-10).
  if (q.cve) query = query.where('findings.cves', 'like', `%"${q.cve.replace(/[\\%_"]/g, '')}"%`);
  const { limit, offset } = page(q);
  const [rows, count] = await Promise.all([
    query
      .leftJoin('advisories', 'advisories.id', 'findings.advisoryId')
      .leftJoin('matchReasons', 'matchReasons.key', 'findings.reason')
      .selectAll('findings')
      .select(['advisories.title as advisoryTitle', 'matchReasons.reason as reasonText'])
      .orderBy('findings.cvss', 'desc')
      .orderBy('findings.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      ip: r.ip,
      port: r.port,
      assetId: r.assetId,
      serviceId: r.serviceId,
      advisoryId: r.advisoryId,
      advisoryTitle: r.advisoryTitle,
      cves: JSON.parse(r.cves) as string[],
      confidence: r.confidence as Confidence,
      reason: r.reasonText ?? r.reason,
      severity: r.severity as Severity,
      cvss: r.cvss,
      status: r.status,
      enterpriseId: r.enterpriseId,
      cityCode: r.cityCode,
      countyCode: r.countyCode,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
    total: Number(count.n),
  };
}
