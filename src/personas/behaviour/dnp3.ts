// DNP3 outstation on TCP 20000: LINK_STATUS for REQUEST_LINK_STATUS (IEEE 1815-2012 §9.2.5.3),
// group 0 device attributes for a READ of g0 (§A.1), a null RESPONSE to any other READ.
import {
  deviceAttributesResponse, dnp3, linkStatus, readDeviceAttributes, requestLinkStatus, type Dnp3Message,
} from '../../protocols/dnp3/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour } from './types.ts';

/** Group 0 variations (§A.1): the ones a persona may fill. */
const ATTRIBUTES = { softwareVersion: 242, hardwareVersion: 243, deviceName: 247, serialNumber: 248, productName: 250, manufacturer: 252 } as const;
const READ = 1;
const REQUEST_LINK_STATUS = 9;
/** The master address the scanner uses when none is known (any non-reserved address works). */
const PROBE_MASTER = 3;

function attributes(device: Device): [number, string][] {
  const s = device.persona.services.dnp3;
  if (!s) return [];
  return (Object.keys(ATTRIBUTES) as (keyof typeof ATTRIBUTES)[])
    .filter((k) => s[k] !== undefined)
    .map((k) => [ATTRIBUTES[k], render(s[k] as string, device.vars)]);
}

function answer(device: Device, request: Dnp3Message): Dnp3Message[] {
  const s = device.persona.services.dnp3;
  const c = request.link.control;
  if (!s || !c.direction || !c.primary) return [];
  // Outstations here answer any destination: a scanner does not know the link address yet.
  if (c.function === REQUEST_LINK_STATUS) return [linkStatus(request.link.source, s.address)];
  const app = request.application;
  if (!app || app.function !== READ) return [];
  const wantsAttributes = app.objects.some((o) => o.group === 0);
  return [deviceAttributesResponse(request.link.source, s.address, wantsAttributes ? attributes(device) : [], app.control.sequence)];
}

export const dnp3Behaviour: Behaviour<Dnp3Message> = {
  name: 'dnp3',
  protocol: dnp3,
  answer,
  probes: (device) => {
    const address = device.persona.services.dnp3?.address ?? 1;
    return [requestLinkStatus(address, PROBE_MASTER), readDeviceAttributes(address, PROBE_MASTER)];
  },
};
