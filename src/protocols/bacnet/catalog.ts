// ANSI/ASHRAE 135-2020 catalogues as data: BVLL functions (Annex J.2), network layer messages
// (§6.2.4), APDU types (§20.1), service choices (§21) and the object types and properties the
// identification decodes. Unknown codes stay numbers and name as 'unknown'.

export const BVLC_FUNCTIONS: Record<number, string> = {
  0x00: 'BVLC-Result',
  0x01: 'Write-Broadcast-Distribution-Table',
  0x02: 'Read-Broadcast-Distribution-Table',
  0x03: 'Read-Broadcast-Distribution-Table-Ack',
  0x04: 'Forwarded-NPDU',
  0x05: 'Register-Foreign-Device',
  0x06: 'Read-Foreign-Device-Table',
  0x07: 'Read-Foreign-Device-Table-Ack',
  0x08: 'Delete-Foreign-Device-Table-Entry',
  0x09: 'Distribute-Broadcast-To-Network',
  0x0a: 'Original-Unicast-NPDU',
  0x0b: 'Original-Broadcast-NPDU',
  0x0c: 'Secure-BVLL',
};

export const NETWORK_MESSAGES: Record<number, string> = {
  0x00: 'Who-Is-Router-To-Network',
  0x01: 'I-Am-Router-To-Network',
  0x02: 'I-Could-Be-Router-To-Network',
  0x03: 'Reject-Message-To-Network',
  0x04: 'Router-Busy-To-Network',
  0x05: 'Router-Available-To-Network',
  0x06: 'Initialize-Routing-Table',
  0x07: 'Initialize-Routing-Table-Ack',
  0x08: 'Establish-Connection-To-Network',
  0x09: 'Disconnect-Connection-To-Network',
  0x0a: 'Challenge-Request',
  0x0b: 'Security-Payload',
  0x0c: 'Security-Response',
  0x0d: 'Request-Key-Update',
  0x0e: 'Update-Key-Set',
  0x0f: 'Update-Distribution-Key',
  0x10: 'Request-Master-Key',
  0x11: 'Set-Master-Key',
  0x12: 'What-Is-Network-Number',
  0x13: 'Network-Number-Is',
};

export const APDU_TYPES = [
  'Confirmed-REQ', 'Unconfirmed-REQ', 'SimpleACK', 'ComplexACK', 'SegmentACK', 'Error', 'Reject', 'Abort',
] as const;

export const CONFIRMED_SERVICES = [
  'acknowledgeAlarm', 'confirmedCOVNotification', 'confirmedEventNotification', 'getAlarmSummary',
  'getEnrollmentSummary', 'subscribeCOV', 'atomicReadFile', 'atomicWriteFile', 'addListElement',
  'removeListElement', 'createObject', 'deleteObject', 'readProperty', 'readPropertyConditional',
  'readPropertyMultiple', 'writeProperty', 'writePropertyMultiple', 'deviceCommunicationControl',
  'confirmedPrivateTransfer', 'confirmedTextMessage', 'reinitializeDevice', 'vtOpen', 'vtClose', 'vtData',
  'authenticate', 'requestKey', 'readRange', 'lifeSafetyOperation', 'subscribeCOVProperty',
  'getEventInformation', 'subscribeCOVPropertyMultiple', 'confirmedCOVNotificationMultiple',
  'confirmedAuditNotification', 'auditLogQuery',
] as const;

export const UNCONFIRMED_SERVICES = [
  'i-Am', 'i-Have', 'unconfirmedCOVNotification', 'unconfirmedEventNotification', 'unconfirmedPrivateTransfer',
  'unconfirmedTextMessage', 'timeSynchronization', 'who-Has', 'who-Is', 'utcTimeSynchronization', 'writeGroup',
  'unconfirmedCOVNotificationMultiple', 'unconfirmedAuditNotification', 'who-Am-I', 'you-Are',
] as const;

export const OBJECT_TYPES: Record<number, string> = {
  0: 'analog-input', 1: 'analog-output', 2: 'analog-value', 3: 'binary-input', 4: 'binary-output',
  5: 'binary-value', 6: 'calendar', 7: 'command', 8: 'device', 9: 'event-enrollment', 10: 'file',
  11: 'group', 12: 'loop', 13: 'multi-state-input', 14: 'multi-state-output', 15: 'notification-class',
  16: 'program', 17: 'schedule', 18: 'averaging', 19: 'multi-state-value', 20: 'trend-log',
};

export const PROPERTIES: Record<number, string> = {
  11: 'apdu-timeout', 12: 'application-software-version', 28: 'description', 30: 'device-address-binding',
  44: 'firmware-revision', 58: 'location', 62: 'max-apdu-length-accepted', 70: 'model-name',
  73: 'number-of-APDU-retries', 75: 'object-identifier', 76: 'object-list', 77: 'object-name',
  79: 'object-type', 85: 'present-value', 96: 'protocol-object-types-supported', 97: 'protocol-services-supported',
  98: 'protocol-version', 107: 'segmentation-supported', 112: 'system-status', 120: 'vendor-identifier',
  121: 'vendor-name', 139: 'protocol-revision', 155: 'database-revision',
};

export const SEGMENTATION = ['segmented-both', 'segmented-transmit', 'segmented-receive', 'no-segmentation'] as const;

/** Device object properties that say what a device is (what nmap's bacnet-info asks for). */
export const IDENTITY_PROPERTIES = {
  objectName: 77,
  vendorName: 121,
  vendorIdentifier: 120,
  modelName: 70,
  firmwareRevision: 44,
  applicationSoftwareVersion: 12,
  description: 28,
  location: 58,
} as const;

export function nameOf(list: readonly string[] | Record<number, string>, code: number): string {
  return (list as Record<number, string>)[code] ?? 'unknown';
}

/**
 * A few vendor identifiers from ASHRAE's BACnet vendor ID registry, for devices that answer
 * I-Am but not ReadProperty(vendor-name). The registry has over a thousand; these are the
 * building-automation vendors met most often.
 */
export const VENDOR_IDS: Record<number, string> = {
  0: 'ASHRAE',
  2: 'The Trane Company',
  3: 'McQuay International',
  5: 'Johnson Controls Inc.',
  7: 'Siemens Schweiz AG',
  8: 'Delta Controls',
  9: 'Siemens Schweiz AG',
  10: 'Schneider Electric',
  11: 'TAC',
  17: 'Honeywell Inc.',
  18: 'Alerton / Honeywell',
  23: 'York Controls Group',
  24: 'Automated Logic Corporation',
  28: 'KMC Controls Inc.',
  35: 'Reliable Controls Corporation',
  36: 'Tridium Inc.',
  39: 'Kieback & Peter GmbH & Co KG',
  42: 'Lithonia Lighting',
  127: 'ABB Inc.',
  222: 'WAGO Kontakttechnik GmbH & Co. KG',
  226: 'Phoenix Contact GmbH & Co. KG',
  260: 'BACnet Stack at SourceForge',
  332: 'Distech Controls SAS',
  364: 'Distech Controls Inc.',
  415: 'Beckhoff Automation GmbH',
  432: 'LG Electronics Inc.',
};
