export { s7comm, type S7commMessage } from './s7comm.ts';
export type { Cotp, CotpParam, IsoFrame } from './cotp.ts';
export { COTP_PARAM, cotpParam, encodeIsoFrame, parseIsoFrame, tallyDt, tpduSize, tpktLength } from './cotp.ts';
export type { S7AnyItem, S7Data, S7DataItem, S7Param, S7Pdu, S7VarItem } from './s7-pdu.ts';
export { familyOf } from './szl.ts';
export { AREA_NAMES, FUNCTION_NAMES, ROSCTR_NAMES, USERDATA_GROUP_NAMES, USERDATA_SUBFUNCTION_NAMES } from './names.ts';
export { connectionRequest, readSzl, setupCommunication } from './requests.ts';
export { componentIdentification, connectionConfirm, moduleIdentification, setupCommunicationAck, szlResponse, type SzlAnswer } from './responses.ts';
