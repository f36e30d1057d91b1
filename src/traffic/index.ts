// Passive traffic analysis: captures → protocol messages → oracle-shaped summaries or NDJSON.
export { Analyzer, MAX_PENDING_PDU } from './analyzer.ts';
export type { AnalyzerSink, FlowApp, MessageEvent } from './analyzer.ts';
export { SummaryBuilder } from './summary.ts';
export type { CaptureSummary, ConversationRow, Histograms } from './summary.ts';
export { NdjsonWriter, isoTime, jsonReplacer } from './ndjson.ts';
export type { IdentityRecord } from './ndjson.ts';
export { HISTOGRAM_FIELDS, HISTOGRAM_GROUPS, conversationName, histogramKey } from './oracle-fields.ts';
export { analyzeCaptureNdjson, summarizeCapture, summarizeCaptureBytes } from './analyze-file.ts';
