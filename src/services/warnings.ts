import { appError } from '../errors.ts';
import type { Actor, Severity, WarningState } from '../model/index.ts';
import { can, inScope } from '../access/index.ts';
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
