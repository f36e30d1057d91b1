// Region packs: a province's division tree, boundaries and IPv4 ranges, with IP → region lookup.
export { DEFAULT_REGION_DIR, loadRegionPack } from './pack.ts';
export type { GeoFeature, GeoFeatureCollection, IpLocation, IpRange, Region, RegionLevel, RegionPack } from './types.ts';
