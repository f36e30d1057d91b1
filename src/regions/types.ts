// What a region pack describes: one province's GB/T 2260 division tree, its boundaries and its IPv4 ranges.

export type RegionLevel = 'province' | 'city' | 'county';

export interface Region {
  /** Six-digit GB/T 2260 code. */
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  provinceCode: string;
  cityCode: string | null;
  countyCode: string | null;
  /** [longitude, latitude] from the boundary file; absent when the pack has no polygon for this code. */
  centroid?: [number, number];
}

/** One IPv4 range of the pack, inclusive, as unsigned 32-bit integers. */
export interface IpRange {
  start: number;
  end: number;
  /** Null when the source places the range in the province but names no city. */
  cityCode: string | null;
  isp: string | null;
}

/** Where an address is, to the finest level the IP data knows (city: ip2region has no counties). */
export interface IpLocation {
  provinceCode: string;
  cityCode: string | null;
  countyCode: null;
  isp: string | null;
}

export interface GeoFeature {
  type: 'Feature';
  properties: Record<string, unknown> | null;
  geometry: unknown;
}

export interface GeoFeatureCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
  [member: string]: unknown;
}

export interface RegionPack {
  /** The folder the pack was read from. */
  dir: string;
  province: Region;
  /** Province, then cities, then counties, each in code order. */
  regions: Region[];
  get(code: string): Region | null;
  /** Direct children in code order; empty for a county or an unknown code. */
  children(code: string): Region[];
  /** True when `code` is `ancestorCode` or lies below it; false when either is unknown. */
  isWithin(code: string, ancestorCode: string): boolean;
  /** Sorted by start, disjoint. */
  ipRanges: IpRange[];
  /** Total number of addresses over ipRanges. */
  addressCount: number;
  locate(ip: string): IpLocation | null;
  /** Boundaries as stored (features may carry codes no region has, such as a null adcode). */
  geo(level: RegionLevel): GeoFeatureCollection;
  /** The n-th address, modulo addressCount, walking ipRanges in order; n may be negative. */
  publicAddress(n: number): string;
  /** Inverse of publicAddress: the index of `ip` in that walk, or null when it is in no range. */
  addressIndex(ip: string): number | null;
}
