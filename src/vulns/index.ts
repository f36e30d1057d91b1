// Vulnerability knowledge base core: CSAF import, version ranges, identity matching. Pure: no
// storage, no HTTP.
export { compareVersions, formatVersion, parseVersion, type Version } from './version.ts';
export { describeRange, inRange, parseRange, type Interval, type VersionRange } from './range.ts';
export {
  importCsaf,
  severityOf,
  type AdvisoryCve,
  type AdvisoryProduct,
  type ImportProblem,
  type ImportProblemCode,
  type ImportResult,
  type NormalizedAdvisory,
  type Remediation,
} from './csaf.ts';
export { knownVendorKey, looksLikeIdentifier, mlfbFamily, mlfbKey, partKey, productKey, productTokens, vendorKey } from './normalize.ts';
export { buildIndex, matchIdentity, VulnIndex, type Match } from './match.ts';
