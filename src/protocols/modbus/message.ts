import type { Direction, Message } from '../protocol.ts';

/** One Read Device Identification object (§6.21): id and its octet string as Latin-1 text. */
export interface DeviceIdObject {
  id: number;
  value: string;
}

/**
 * The PDU after the function code, by layout. Which layout applies depends on the function code
 * and on the direction (request to the server, response to the client), as in §6 of the spec.
 */
export type ModbusPdu =
  /** 1–4 request: starting address and quantity of coils, inputs or registers. */
  | { kind: 'read-request'; address: number; quantity: number }
  /** 1, 2 response: packed bits, byte count implied by their length. */
  | { kind: 'bits'; values: Uint8Array }
  /** 3, 4, 23 response: register values. */
  | { kind: 'registers'; values: number[] }
  /** 5, 6 request and (echoed) response. */
  | { kind: 'write-single'; address: number; value: number }
  /** 15 request: quantity of coils and the packed output values. */
  | { kind: 'write-multiple-coils'; address: number; quantity: number; values: Uint8Array }
  /** 16 request. */
  | { kind: 'write-multiple-registers'; address: number; quantity: number; values: number[] }
  /** 15, 16 response. */
  | { kind: 'write-multiple-response'; address: number; quantity: number }
  /** 7, 11, 12, 17 request: the function code alone. */
  | { kind: 'empty' }
  /** 7 response. */
  | { kind: 'exception-status'; status: number }
  /** 8 request and response: sub-function and its data. */
  | { kind: 'diagnostics'; subFunction: number; data: Uint8Array }
  /** 11 response. */
  | { kind: 'comm-event-counter'; status: number; eventCount: number }
  /** 12 response. */
  | { kind: 'comm-event-log'; status: number; eventCount: number; messageCount: number; events: Uint8Array }
  /** 17 response: server id, run indicator and additional data are device specific, kept as bytes. */
  | { kind: 'report-server-id'; data: Uint8Array }
  /** 20, 21 request and response: byte count then sub-requests, kept as bytes. */
  | { kind: 'file-record'; data: Uint8Array }
  /** 22 request and (echoed) response. */
  | { kind: 'mask-write'; address: number; andMask: number; orMask: number }
  /** 23 request. */
  | {
      kind: 'read-write-registers';
      readAddress: number;
      readQuantity: number;
      writeAddress: number;
      writeQuantity: number;
      values: number[];
    }
  /** 24 request. */
  | { kind: 'fifo-request'; address: number }
  /** 24 response. */
  | { kind: 'fifo'; values: number[] }
  /** 43 / 14 request. */
  | { kind: 'device-id-request'; readDeviceIdCode: number; objectId: number }
  /** 43 / 14 response. */
  | {
      kind: 'device-id';
      readDeviceIdCode: number;
      conformityLevel: number;
      moreFollows: number;
      nextObjectId: number;
      objects: DeviceIdObject[];
    }
  /** 43 with another MEI type (13 CANopen general reference). */
  | { kind: 'mei'; meiType: number; data: Uint8Array }
  /** Exception response: function code | 0x80, then the exception code. */
  | { kind: 'exception'; code: number }
  /** Unknown, vendor specific (UMAS) or malformed: the bytes as they came. */
  | { kind: 'raw'; data: Uint8Array };

export interface ModbusMessage extends Message {
  /** to-server: request layout; to-client: response layout. */
  direction: Direction;
  /** MBAP header (§4.1 of Modbus Messaging on TCP/IP Implementation Guide v1.0b). */
  transactionId: number;
  unitId: number;
  /** The function code without the exception bit, and its name (`unknown` when not public). */
  function: { code: number; name: string };
  /** Present on responses whose function code carries the exception bit (0x80). */
  exception?: { code: number; name: string };
  pdu: ModbusPdu;
}
