// The digital twin of a province: personas deployed on loopback, each standing for a public
// address of the region pack, with the ground truth a perfect scanner should reach.
export { DEFAULT_TWIN_CIDR, twinAddresses, twinLoopbackAddress, twinPublicAddress } from './addresses.ts';
export { choosePersona, planTwin, startTwin, TWIN_DEFAULTS, type ServiceStatus, type Twin, type TwinDevice, type TwinOptions } from './twin.ts';
export { truthRecord, type ServedEndpoint, type TruthRecord, type TruthService } from './truth.ts';
