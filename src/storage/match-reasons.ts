// Why a finding matched is a sentence such as "ICSA-22-286-04 › Siemens › SIMATIC S7-1200 …:
// product name …; firmware V4.2.1 in < V4.5.0" (about 150 bytes), the same for every device of one
// model and firmware. Findings hold a short key to it; match_reasons holds each sentence once.
import { createHash } from 'node:crypto';

/** 96 bits of the sentence's SHA-1, base64url: the key findings.reason holds. */
export function reasonKey(reason: string): string {
  return createHash('sha1').update(reason).digest('base64url').slice(0, 16);
}
