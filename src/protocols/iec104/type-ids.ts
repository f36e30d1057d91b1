// IEC 60870-5-101 §7.2.1 / IEC 60870-5-104 §8: ASDU type identifications and, for each one this
// engine decodes, the information elements that follow every information object address.
// The catalogue is data; an unknown type id stays a value (`typeName: 'unknown'`).

/** One information element, named after IEC 60870-5-101 §7.2.6. */
export type Element =
  | 'siq' // single-point information with quality (§7.2.6.1)
  | 'diq' // double-point information with quality (§7.2.6.2)
  | 'vti' // value with transient state indication (§7.2.6.5)
  | 'bsi' // binary state information, 32 bits (§7.2.6.13)
  | 'nva' // normalized value, signed 16 bits (§7.2.6.6)
  | 'sva' // scaled value, signed 16 bits (§7.2.6.7)
  | 'r32' // short floating point, IEEE 754 (§7.2.6.8)
  | 'qds' // quality descriptor (§7.2.6.3)
  | 'bcr' // binary counter reading (§7.2.6.9)
  | 'sco' // single command (§7.2.6.15)
  | 'dco' // double command (§7.2.6.16)
  | 'rco' // regulating step command (§7.2.6.17)
  | 'qos' // qualifier of set-point command (§7.2.6.39)
  | 'qoi' // qualifier of interrogation (§7.2.6.22)
  | 'qcc' // qualifier of counter interrogation (§7.2.6.23)
  | 'qrp' // qualifier of reset process (§7.2.6.27)
  | 'coi' // cause of initialization (§7.2.6.21)
  | 'qpm' // qualifier of parameter of measured values (§7.2.6.24)
  | 'qpa' // qualifier of parameter activation (§7.2.6.25)
  | 'fbp' // fixed test bit pattern (§7.2.6.14)
  | 'tsc' // test sequence counter (IEC 60870-5-104 §8.7)
  | 'cp56'; // seven-octet binary time (§7.2.6.18)

export const ELEMENT_SIZE: Record<Element, number> = {
  siq: 1, diq: 1, vti: 1, bsi: 4, nva: 2, sva: 2, r32: 4, qds: 1, bcr: 5, sco: 1, dco: 1, rco: 1,
  qos: 1, qoi: 1, qcc: 1, qrp: 1, coi: 1, qpm: 1, qpa: 1, fbp: 2, tsc: 2, cp56: 7,
};

interface TypeInfo {
  name: string;
  elements?: readonly Element[];
}

export const TYPE_IDS: Record<number, TypeInfo> = {
  1: { name: 'M_SP_NA_1', elements: ['siq'] },
  3: { name: 'M_DP_NA_1', elements: ['diq'] },
  5: { name: 'M_ST_NA_1', elements: ['vti', 'qds'] },
  7: { name: 'M_BO_NA_1', elements: ['bsi', 'qds'] },
  9: { name: 'M_ME_NA_1', elements: ['nva', 'qds'] },
  11: { name: 'M_ME_NB_1', elements: ['sva', 'qds'] },
  13: { name: 'M_ME_NC_1', elements: ['r32', 'qds'] },
  15: { name: 'M_IT_NA_1', elements: ['bcr'] },
  20: { name: 'M_PS_NA_1' },
  21: { name: 'M_ME_ND_1', elements: ['nva'] },
  30: { name: 'M_SP_TB_1', elements: ['siq', 'cp56'] },
  31: { name: 'M_DP_TB_1', elements: ['diq', 'cp56'] },
  32: { name: 'M_ST_TB_1', elements: ['vti', 'qds', 'cp56'] },
  33: { name: 'M_BO_TB_1', elements: ['bsi', 'qds', 'cp56'] },
  34: { name: 'M_ME_TD_1', elements: ['nva', 'qds', 'cp56'] },
  35: { name: 'M_ME_TE_1', elements: ['sva', 'qds', 'cp56'] },
  36: { name: 'M_ME_TF_1', elements: ['r32', 'qds', 'cp56'] },
  37: { name: 'M_IT_TB_1', elements: ['bcr', 'cp56'] },
  38: { name: 'M_EP_TD_1' },
  39: { name: 'M_EP_TE_1' },
  40: { name: 'M_EP_TF_1' },
  45: { name: 'C_SC_NA_1', elements: ['sco'] },
  46: { name: 'C_DC_NA_1', elements: ['dco'] },
  47: { name: 'C_RC_NA_1', elements: ['rco'] },
  48: { name: 'C_SE_NA_1', elements: ['nva', 'qos'] },
  49: { name: 'C_SE_NB_1', elements: ['sva', 'qos'] },
  50: { name: 'C_SE_NC_1', elements: ['r32', 'qos'] },
  51: { name: 'C_BO_NA_1', elements: ['bsi'] },
  58: { name: 'C_SC_TA_1', elements: ['sco', 'cp56'] },
  59: { name: 'C_DC_TA_1', elements: ['dco', 'cp56'] },
  60: { name: 'C_RC_TA_1', elements: ['rco', 'cp56'] },
  61: { name: 'C_SE_TA_1', elements: ['nva', 'qos', 'cp56'] },
  62: { name: 'C_SE_TB_1', elements: ['sva', 'qos', 'cp56'] },
  63: { name: 'C_SE_TC_1', elements: ['r32', 'qos', 'cp56'] },
  64: { name: 'C_BO_TA_1', elements: ['bsi', 'cp56'] },
  70: { name: 'M_EI_NA_1', elements: ['coi'] },
  100: { name: 'C_IC_NA_1', elements: ['qoi'] },
  101: { name: 'C_CI_NA_1', elements: ['qcc'] },
  102: { name: 'C_RD_NA_1', elements: [] },
  103: { name: 'C_CS_NA_1', elements: ['cp56'] },
  104: { name: 'C_TS_NA_1', elements: ['fbp'] },
  105: { name: 'C_RP_NA_1', elements: ['qrp'] },
  106: { name: 'C_CD_NA_1' },
  107: { name: 'C_TS_TA_1', elements: ['tsc', 'cp56'] },
  110: { name: 'P_ME_NA_1', elements: ['nva', 'qpm'] },
  111: { name: 'P_ME_NB_1', elements: ['sva', 'qpm'] },
  112: { name: 'P_ME_NC_1', elements: ['r32', 'qpm'] },
  113: { name: 'P_AC_NA_1', elements: ['qpa'] },
  120: { name: 'F_FR_NA_1' },
  121: { name: 'F_SR_NA_1' },
  122: { name: 'F_SC_NA_1' },
  123: { name: 'F_LS_NA_1' },
  124: { name: 'F_AF_NA_1' },
  125: { name: 'F_SG_NA_1' },
  126: { name: 'F_DR_TA_1' },
  127: { name: 'F_SC_NB_1' },
};

/** IEC 60870-5-101 §7.2.3: cause of transmission, 6 bits. */
export const CAUSES: Record<number, string> = {
  1: 'periodic',
  2: 'background',
  3: 'spontaneous',
  4: 'initialized',
  5: 'request',
  6: 'activation',
  7: 'activation-confirmation',
  8: 'deactivation',
  9: 'deactivation-confirmation',
  10: 'activation-termination',
  11: 'return-remote',
  12: 'return-local',
  13: 'file-transfer',
  20: 'interrogated-station',
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [21 + i, `interrogated-group-${i + 1}`])),
  37: 'requested-counter',
  ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [38 + i, `requested-counter-group-${i + 1}`])),
  44: 'unknown-type-id',
  45: 'unknown-cause',
  46: 'unknown-common-address',
  47: 'unknown-object-address',
};

/** IEC 60870-5-104 §5.3: U-format functions, one bit each in the first control octet. */
export const U_FUNCTIONS = {
  'STARTDT act': 0x04,
  'STARTDT con': 0x08,
  'STOPDT act': 0x10,
  'STOPDT con': 0x20,
  'TESTFR act': 0x40,
  'TESTFR con': 0x80,
} as const;
export type UFunction = keyof typeof U_FUNCTIONS;
