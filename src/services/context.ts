// What every use-case receives: the store, the region pack, the vulnerability matcher and the
// settings. Built once by main.ts; services never construct their own dependencies.
import type { Config } from '../config.ts';
import type { RegionPack } from '../regions/index.ts';
import type { Store } from '../storage/index.ts';
import type { LoginThrottle } from '../access/index.ts';
import type { Attribution } from './attribution.ts';
import type { AdvisoryMatcher } from './matcher.ts';

/** A service a warning names, as the scanner needs it to probe again. */
export interface ReprobeTarget {
  serviceId: string;
  ip: string;
  port: number;
  transport: string;
  protocol: string;
}

/**
 * The port through which verification (复核) asks the scanner to look at a warning's services
 * again. The answer is not returned here: the scanner's observations come back through
 * ingestObservations like any others, and the warning is judged on those (evaluateVerification).
 * Without a reprober the platform waits for the next scheduled scan to observe the services.
 */
export interface Reprober {
  reprobe(services: ReprobeTarget[]): Promise<void>;
}

export interface ServiceContext {
  config: Config;
  store: Store;
  regions: RegionPack;
  attribution: Attribution;
  matcher: AdvisoryMatcher;
  throttle: LoginThrottle;
  now(): Date;
  /** Absent = no on-demand re-probe; verification waits for the next scan (see Reprober). */
  reprober?: Reprober;
}
