export { controllerData, fins, type FinsFrame, type FinsMessage, type FinsTcpHeader } from './fins.ts';
export { AREA_NAMES, COMMAND_NAMES, TCP_COMMAND_NAMES } from './names.ts';
export { controllerDataRead, nodeAddressRequest, type FinsAddressing } from './requests.ts';
export { controllerDataResponse, nodeAddressResponse, type ControllerAreaData } from './responses.ts';
