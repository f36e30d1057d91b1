// What every use-case receives: the store, the region pack, the vulnerability matcher and the
// settings. Built once by main.ts; services never construct their own dependencies.
import type { Config } from '../config.ts';
import type { RegionPack } from '../regions/index.ts';
import type { Store } from '../storage/index.ts';
import type { LoginThrottle } from '../access/index.ts';
import type { Attribution } from './attribution.ts';
import type { AdvisoryMatcher } from './matcher.ts';

export interface ServiceContext {
  config: Config;
  store: Store;
  regions: RegionPack;
  attribution: Attribution;
  matcher: AdvisoryMatcher;
  throttle: LoginThrottle;
  now(): Date;
}
