// Types of bin/v8-flags.js, for the TypeScript that imports it (bench/dpi.ts, tests).
export declare const ANALYZE_V8_FLAGS: readonly string[];
export declare function analyzeV8Flags(execArgv?: readonly string[], v8Version?: string): string[];
