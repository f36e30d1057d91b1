// BACnet/IP on UDP 47808: ReadProperty of the device object's identity properties, addressed to
// the wildcard instance 4194303 every device answers to (ASHRAE 135 §15.5, §12.11.1), as nmap's
// bacnet-info does. A Who-Is is not sent: its I-Am answer is a broadcast a unicast scan cannot
// pair with the device, while the ReadProperty answers name the device instance too.
import { bacnet, IDENTITY_PROPERTIES, readProperty, type BacnetMessage } from '../../protocols/bacnet/index.ts';
import type { Probe } from './probe.ts';

const ORDER = [
  IDENTITY_PROPERTIES.vendorIdentifier,
  IDENTITY_PROPERTIES.vendorName,
  IDENTITY_PROPERTIES.modelName,
  IDENTITY_PROPERTIES.firmwareRevision,
  IDENTITY_PROPERTIES.applicationSoftwareVersion,
  IDENTITY_PROPERTIES.objectName,
  IDENTITY_PROPERTIES.description,
  IDENTITY_PROPERTIES.location,
];

export const bacnetProbe: Probe = {
  protocol: 'bacnet',
  transport: 'udp',
  port: 47808,
  async run(conn) {
    const messages: BacnetMessage[] = [];
    for (let i = 0; i < ORDER.length; i++) {
      const invokeId = i + 1;
      conn.send(bacnet.encode(readProperty(ORDER[i], invokeId)));
      let m: BacnetMessage | null;
      // Answers to another invoke id (a late retry's) are skipped (§5.4: invoke ids pair them).
      do m = await conn.read(bacnet);
      while (m && m.apdu?.invokeId !== undefined && m.apdu.invokeId !== invokeId);
      if (!m) {
        // No answer to the first request: nothing listens. Later properties may just be absent.
        if (i === 0) return null;
        continue;
      }
      messages.push(m);
    }
    return { identity: bacnet.identify(messages) };
  },
};
