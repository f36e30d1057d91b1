import type { Actor } from '../model/index.ts';
import type { GeoFeatureCollection, RegionLevel } from '../regions/index.ts';
import { appError } from '../errors.ts';
import { can } from '../access/index.ts';
import type { ServiceContext } from './context.ts';

// The division tree and boundaries are reference data every reader may see (a sensor only ingests).
export function listRegions(ctx: ServiceContext, actor: Actor) {
  if (!can(actor, 'read:regions')) throw appError('FORBIDDEN');
  return {
    items: ctx.regions.regions.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parentCode, centroid: r.centroid ?? null })),
  };
}

export function regionGeo(ctx: ServiceContext, actor: Actor, level: string): GeoFeatureCollection {
  if (!can(actor, 'read:regions')) throw appError('FORBIDDEN');
  if (level !== 'province' && level !== 'city' && level !== 'county') throw appError('NOT_FOUND');
  return ctx.regions.geo(level as RegionLevel);
}
