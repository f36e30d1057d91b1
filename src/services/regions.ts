import type { Actor } from '../model/index.ts';
import type { GeoFeatureCollection, RegionLevel } from '../regions/index.ts';
import { appError } from '../errors.ts';
import type { ServiceContext } from './context.ts';

// The division tree and boundaries are reference data: every signed-in actor may read them.
export function listRegions(ctx: ServiceContext, _actor: Actor) {
  return {
    items: ctx.regions.regions.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parentCode, centroid: r.centroid ?? null })),
  };
}

export function regionGeo(ctx: ServiceContext, _actor: Actor, level: string): GeoFeatureCollection {
  if (level !== 'province' && level !== 'city' && level !== 'county') throw appError('NOT_FOUND');
  return ctx.regions.geo(level as RegionLevel);
}
