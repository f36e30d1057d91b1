// Threat trapping: honeypot sensors that wear a persona with a fresh identity, answer from
// bounded state, and report every interaction as an event.
export { classify, worse, CLASSIFICATIONS, DOS_CONNECTS_PER_MINUTE, DOS_PER_MINUTE, type Classifiable, type Classification } from './classify.ts';
export { CONPOT_DEFAULT_STRINGS, conpotStringsIn, isHoneypotIdentity } from './conpot.ts';
export { toHex, type HoneypotEvent } from './event.ts';
export { MANIPULATING, OPERATIONS, operationOf, type Decoded, type Operation } from './operations.ts';
export { HONEYPOT_LIMITS, HoneypotSession, type Exchange, type Interaction } from './session.ts';
export { HONEYPOT_DEFAULTS, honeypotPersonas, resolvePersona, startHoneypot, type Honeypot, type HoneypotOptions, type HoneypotService } from './sensor.ts';
export { eventSink, SUBMIT_BATCH, type EventSink, type SinkOptions } from './sink.ts';
export { newState, type HoneypotState } from './state.ts';
