// Stateless SYN sweep for the active scanner: finds the open TCP pairs from a raw socket before
// any connection is made (native/syn-sweep does the packets, on its own thread).
export { synSweep, synSweepAvailable, type Availability, type Sweep, type SweepOptions } from './sweep.ts';
export { MAX_SWEEP_POSITIONS, sweepPlan, SweptPlan, type PlanSweepOptions } from './plan-sweep.ts';
export type { SweepStats } from './addon.ts';
