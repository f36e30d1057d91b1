// One way in for every advisory format: the shape of the document says which it is. CSAF 2.0 is
// a JSON object with `document.csaf_version`; a CVE JSON 5 record has `dataType: "CVE_RECORD"` or
// `cveMetadata` + `containers`; CNVD's share files are XML text. A file may hold several records
// (a CNVD week), so the answer is a list, each record with the source it was read from: storing
// that source and importing it again on start gives the same advisory.
import { importCnvdXml, isCnvdXml } from './cnvd.ts';
import { importCsaf, type ImportResult } from './csaf.ts';
import { importCveRecord, isCveRecord } from './cve5.ts';

export type AdvisoryFormat = 'csaf' | 'cve' | 'cnvd';

export interface ImportedRecord {
  format: AdvisoryFormat;
  /** What to store for this record: the CSAF or CVE object, or the XML text of one CNVD entry. */
  source: unknown;
  result: ImportResult;
}

export type DocumentImport =
  | { ok: true; format: AdvisoryFormat; records: ImportedRecord[] }
  | { ok: false; code: 'INVALID_ADVISORY'; reason: string };

export function detectFormat(doc: unknown): AdvisoryFormat | null {
  if (typeof doc === 'string') return isCnvdXml(doc) ? 'cnvd' : null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  if ('document' in doc) return 'csaf';
  if (isCveRecord(doc)) return 'cve';
  return null;
}

/** Imports a document of any supported format. Never throws. */
export function importDocument(doc: unknown): DocumentImport {
  const format = detectFormat(doc);
  switch (format) {
    case 'csaf':
      return { ok: true, format, records: [{ format, source: doc, result: importCsaf(doc) }] };
    case 'cve':
      return { ok: true, format, records: [{ format, source: doc, result: importCveRecord(doc) }] };
    case 'cnvd': {
      const r = importCnvdXml(doc);
      if (!r.ok) return r;
      return { ok: true, format, records: r.records.map((x) => ({ format, source: x.source, result: x.result })) };
    }
    default:
      return { ok: false, code: 'INVALID_ADVISORY', reason: 'neither a CSAF 2.0 document, a CVE JSON 5 record nor CNVD XML' };
  }
}
