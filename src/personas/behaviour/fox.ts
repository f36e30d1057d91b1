// Niagara Fox station on TCP 1911: answers the hello with the station's description, as
// nmap's fox-info reads it (there is no public Fox specification).
import { fox, helloRequest, helloResponse, type FoxMessage } from '../../protocols/fox/index.ts';
import { render } from '../deploy.ts';
import type { Device } from '../types.ts';
import type { Behaviour } from './types.ts';

function answer(device: Device, request: FoxMessage): FoxMessage[] {
  const spec = device.persona.services.fox;
  if (!spec || request.header.command !== 'hello') return [];
  return [helloResponse(spec.hello.map(([k, v]) => [k, render(v, device.vars)] as const))];
}

export const foxBehaviour: Behaviour<FoxMessage> = {
  name: 'fox',
  protocol: fox,
  answer,
  probes: () => [helloRequest()],
};
