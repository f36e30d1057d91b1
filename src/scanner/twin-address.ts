// A twin device answers on a loopback address but stands for a public address of the region; the
// observation reports the public one as `ip` and the probed one as `via`. The mapping is the
// twin's; this is the one place the scanner asks for it.

export type PublicAddressOf = (loopback: string) => string | null;

/** Until the twin exports its mapping, a probed address is reported as itself. */
export const noTwinMapping: PublicAddressOf = () => null;

