// V8 flags of `otscope analyze`. bin/otscope.js sets them before the analyze bundle is compiled,
// so the code cache is keyed to them (they are part of v8.cachedDataVersionTag()); bench/dpi.ts
// gives them to the child it times the analysis in, so that it times what the command runs.
//
// A cold analysis is mostly JIT work. On the 102 MB bench capture TurboFan compiled ~110 functions
// (some two or three times, after deoptimizations) on V8's background threads: ~0.17 s of CPU
// beside ~0.23 s on the main thread. With 4x the interrupt budget a function runs 4x as much
// bytecode before V8 optimizes it (so it has also seen more of its types), and half the cumulative
// inlining budget makes each compile smaller: 65 compiles and 4 deoptimizations instead of 110 and
// 11, ~0.07 s of background CPU, 0.464 -> 0.377 s CPU for the whole command (15 alternating cold
// runs each). Without loop peeling (TurboFan's separate copy of each loop's first iteration) the compiles
// shrink again: 0.373 -> 0.357 s (21 alternating runs each). A warm pass is not slower (~120-130 ms
// either way) and a 400 MB capture not dearer with any of the three.
// These flags are read at each tier-up decision and each compile, so setting them after V8 has
// started works; flags read when the heap is set up (--single-threaded-gc) abort the process when
// set this late.
const ANALYZE_V8_FLAGS = ['--interrupt-budget=270336', '--max-inlined-bytecode-size-cumulative=460', '--no-turbo-loop-peeling'];

module.exports = { ANALYZE_V8_FLAGS };
