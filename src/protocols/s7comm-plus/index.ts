export {
  FUNCTION_NAMES,
  OPCODE_NAMES,
  readHeader,
  S7COMM_PLUS_ID,
  s7commPlus,
  VERSION_NAMES,
  type S7commPlusHeader,
  type S7commPlusMessage,
  type S7commPlusPdu,
} from './s7comm-plus.ts';
