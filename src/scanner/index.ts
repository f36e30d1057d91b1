// Active discovery: targets and scope, the keyed scan order, identification probes over the
// protocol engine, rate limits, resumable checkpoints and the observation output. Sockets live
// here and nowhere else.
export { SCAN_ERRORS, ScanError, isScanError, scanError, type ScanErrorCode } from './errors.ts';
export { AddressSet, readCidrFile, type Range } from './address-set.ts';
export { resolveTargets, type TargetRange, type TargetSources } from './targets.ts';
export { checkScope } from './scope.ts';
export { parsePorts, type Service } from './ports.ts';
export { Permutation } from './permutation.ts';
export { Plan, SHARE_BLOCK, shareOf, type Pair } from './plan.ts';
export { Checkpoint } from './checkpoint.ts';
export { TokenBucket } from './rate.ts';
export { PROBES, probeFor, type Probe, type ProbeContext, type ProbeResult } from './probes/index.ts';
export { scan, type ScanOptions, type ScanStats } from './scanner.ts';
export { ScanWorkers } from './workers.ts';
export { Submitter, enterpriseNetworks, SUBMIT_BATCH, type SubmitStats } from './submit.ts';
export { noTwinMapping, twinMapping, type PublicAddressOf } from './twin-address.ts';
