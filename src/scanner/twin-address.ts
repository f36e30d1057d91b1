// A twin device answers on a loopback address but stands for a public address of the region; the
// observation reports the public one as `ip` and the probed one as `via`. The mapping is the
// twin's (src/twin: an affine permutation onto the region pack's ranges); this is the one place
// the scanner asks for it.
import { ipv4ToInt } from '../net/index.ts';
import { twinPublicAddress } from '../twin/index.ts';

export type PublicAddressOf = (probed: string) => string | null;

/** Every probed address is reported as itself. */
export const noTwinMapping: PublicAddressOf = () => null;

/**
 * Loopback addresses stand for the twin's public addresses; 127.0.0.1 is excluded because the
 * twin never places a device there (real software on the machine listens there: Mosquitto, lab
 * peers), and nothing outside 127.0.0.0/8 is mapped.
 */
export const twinMapping: PublicAddressOf = (probed) => {
  const n = ipv4ToInt(probed);
  if (n === null || n >>> 24 !== 127 || probed === '127.0.0.1') return null;
  return twinPublicAddress(probed);
};
