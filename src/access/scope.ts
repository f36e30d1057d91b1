// Row-level scope: every query over regional data goes through `inScope(actor)`. The columns are
// the same on every scoped table (province_code, city_code, county_code, enterprise_id), so one
// filter serves assets, findings, events, warnings and enterprises.
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Actor } from '../model/index.ts';
import { scopeKind } from './roles.ts';

// Kysely cannot type a filter generic over "any table with these columns"; the column names are
// checked by the repository tests on both dialects instead.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

export function inScope(actor: Actor, opts: { table?: string; enterpriseColumn?: string } = {}) {
  const col = (c: string) => (opts.table ? `${opts.table}.${c}` : c);
  return (eb: AnyEb): Expression<SqlBool> => {
    const none = sql<SqlBool>`1 = 0`;
    switch (scopeKind(actor.role)) {
      case 'province':
        return actor.regionCode ? eb(col('provinceCode'), '=', actor.regionCode) : none;
      case 'city':
        return actor.regionCode ? eb(col('cityCode'), '=', actor.regionCode) : none;
      case 'county':
        return actor.regionCode ? eb(col('countyCode'), '=', actor.regionCode) : none;
      case 'enterprise':
        return actor.enterpriseId ? eb(col(opts.enterpriseColumn ?? 'enterpriseId'), '=', actor.enterpriseId) : none;
      case 'none':
        return none;
    }
  };
}

/** The same test for one object already in memory (e.g. before a write). */
export function objectInScope(
  actor: Actor,
  o: { provinceCode: string | null; cityCode: string | null; countyCode: string | null; enterpriseId: string | null },
): boolean {
  switch (scopeKind(actor.role)) {
    case 'province':
      return !!actor.regionCode && o.provinceCode === actor.regionCode;
    case 'city':
      return !!actor.regionCode && o.cityCode === actor.regionCode;
    case 'county':
      return !!actor.regionCode && o.countyCode === actor.regionCode;
    case 'enterprise':
      return !!actor.enterpriseId && o.enterpriseId === actor.enterpriseId;
    case 'none':
      return false;
  }
}
