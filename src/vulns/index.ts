// Vulnerability knowledge base core: CSAF 2.0, CVE JSON 5 and CNVD XML import, version ranges, identity matching. Pure: no
// storage, no HTTP. Advisories and ranges are plain data (JSON round-trips), so storage can keep
// NormalizedAdvisory as is and rebuild the index from it.
export { compareVersions, formatVersion, parseVersion, type Version } from './version.ts';
export { describeRange, inRange, parseRange, serialInCutoff, type Interval, type SerialCutoff, type VersionRange } from './range.ts';
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
export {
  isSpecificProduct,
  knownVendorKey,
  looksLikeIdentifier,
  mlfbFamily,
  mlfbKey,
  partKey,
  partNumbersIn,
  productKey,
  productTokens,
  vendorKey,
  type PartNumber,
} from './normalize.ts';
export { buildIndex, matchIdentity, prepareMatch, VulnIndex, type Match, type PreparedMatch } from './match.ts';
export { importCveRecord, isCveRecord } from './cve5.ts';
export { importCnvdXml, isCnvdXml, normaliseChineseRange, type CnvdImport, type CnvdRecord } from './cnvd.ts';
export { detectFormat, importDocument, type AdvisoryFormat, type DocumentImport, type ImportedRecord } from './import.ts';
export { parseXml, type XmlElement, type XmlResult } from './xml.ts';
export { IdentityIndex, readsSerial } from './candidates.ts';
