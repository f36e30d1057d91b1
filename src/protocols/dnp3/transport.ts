// Where the flow state keeps DNP3 transport reassembly (IEEE 1815-2012 §8.2): segments of a
// fragment are joined per link source > destination pair until the FIN segment.

export const TRANSPORT_STATE_KEY = 'dnp3.transport';

/** The key of a link pair in the reassembly table. */
export function transportKey(source: number, destination: number): string {
  return `${source}>${destination}`;
}
