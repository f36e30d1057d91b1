export { cipMessages, decodeIdentityAttributes, decodeIdentityItem, encodeIdentityItem, enip, ITEM, type CpfItem, type EnipBody, type EnipMessage, type IdentityItem } from './enip.ts';
export { decodeCip, decodeEpath, encodeCip, flattenCip, type CipMessage, type CipRequest, type CipResponse, type EpathSegment } from './cip.ts';
export { COMMAND_NAMES, DEVICE_TYPE_NAMES, SERVICE_NAMES, VENDOR_NAMES } from './names.ts';
export { listIdentity, listServices, registerSession } from './requests.ts';
export { listIdentityResponse } from './responses.ts';
