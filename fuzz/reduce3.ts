/**
 * Shrinks a Wasm 3.0 module that shows a mismatch, in this process: neither Debian's wasm-reduce
 * 108 (it cannot read exnref, multiple memories…) nor npm binaryen's (emscripten has no
 * `system()` to run the test with) can. Greedy, with npm binaryen 132's library to edit the module
 * and check.ts's `checkBytes` as the test (the mismatch must keep its signature): drop exports one
 * at a time, replace function bodies by `unreachable`, remove the top-level items of the remaining
 * bodies, and run binaryen's cleanup and optimisation passes; over again while anything shrinks.
 * Then, if the result is one Debian's wasm-reduce can read, that finishes the job (reduce.ts).
 */
import { checkBytes } from "./check.ts";
import { BINARYEN_NPM } from "./binaryen132.ts";

// deno-lint-ignore no-explicit-any
type Binaryen = any;

let library: Promise<Binaryen> | undefined;

function binaryen(): Promise<Binaryen> {
  return library ??= import(BINARYEN_NPM).then((m) => m.default);
}

/** The features binaryen3 may generate (not All: that would write, say, compact imports). */
function features(b: Binaryen): number {
  const f = b.Features;
  return f.MutableGlobals | f.NontrappingFPToInt | f.SIMD128 | f.BulkMemory | f.SignExt |
    f.ExceptionHandling |
    f.TailCall | f.ReferenceTypes | f.Multivalue | f.Memory64 | f.RelaxedSIMD | f.ExtendedConst |
    f.MultiMemory | f.BulkMemoryOpt | f.CallIndirectOverlong;
}

const PASS_SETS: string[][] = [
  ["remove-unused-module-elements"],
  ["dce", "vacuum", "remove-unused-brs", "remove-unused-names", "merge-blocks"],
  ["simplify-locals", "vacuum", "reorder-locals", "coalesce-locals"],
  ["precompute", "optimize-instructions", "vacuum"],
  ["remove-unused-module-elements", "memory-packing", "duplicate-function-elimination"],
];

export async function reduce3(
  bytes: Uint8Array,
  signature: string,
  timeLimitMs: number,
): Promise<Uint8Array> {
  const b = await binaryen();
  const deadline = performance.now() + timeLimitMs;
  const interesting = (candidate: Uint8Array) => {
    try {
      return checkBytes(candidate, { wasm3: true }).mismatch?.signature === signature;
    } catch {
      return false;
    }
  };
  /** Reads the current best, edits it, and keeps the edit if still interesting and smaller. */
  let best = bytes;
  const attempt = (edit: (m: Binaryen) => boolean | void, anySize = false): boolean => {
    if (performance.now() > deadline) return false;
    let candidate: Uint8Array;
    try {
      const m = b.readBinary(best);
      m.setFeatures(features(b));
      try {
        if (edit(m) === false) return false;
        candidate = m.emitBinary();
      } finally {
        m.dispose();
      }
    } catch {
      return false;
    }
    if ((!anySize && candidate.length >= best.length) || !interesting(candidate)) return false;
    best = candidate;
    return true;
  };
  const log = console.log;
  console.log = () => {}; // binaryen's validation chatter
  try {
    // binaryen's own encoding of the module first (sizes compare from there on).
    if (!attempt(() => {}, true)) return bytes;
    let progress = true;
    while (progress && performance.now() < deadline) {
      progress = false;
      // Exports, last first (binaryen's call-export imports use indices into the list).
      for (let i = 1000; i >= 0; i--) {
        if (
          attempt((m) => {
            if (i >= m.getNumExports()) return false;
            m.removeExport(b.getExportInfo(m.getExportByIndex(i)).name);
            m.runPasses(["remove-unused-module-elements"]);
          })
        ) progress = true;
      }
      // Whole function bodies.
      for (let i = 0; i < 2000; i++) {
        let exists = true;
        if (
          attempt((m) => {
            if (i >= m.getNumFunctions()) return exists = false;
            const f = m.getFunctionByIndex(i);
            const info = b.getFunctionInfo(f);
            if (info.base || b.getExpressionInfo(info.body).id === b.UnreachableId) return false;
            b.Function.setBody(f, m.unreachable());
          })
        ) progress = true;
        if (!exists) break;
      }
      // The items of each body's top block, last first.
      for (let i = 0; i < 2000; i++) {
        let exists = true;
        for (let k = 200; k >= 0; k--) {
          if (
            attempt((m) => {
              if (i >= m.getNumFunctions()) return exists = false;
              const info = b.getFunctionInfo(m.getFunctionByIndex(i));
              if (info.base || b.getExpressionInfo(info.body).id !== b.BlockId) return false;
              if (k >= b.Block.getNumChildren(info.body)) return false;
              b.Block.removeChildAt(info.body, k);
            })
          ) progress = true;
          if (!exists) break;
        }
        if (!exists) break;
      }
      for (const passes of PASS_SETS) if (attempt((m) => void m.runPasses(passes))) progress = true;
    }
  } finally {
    console.log = log;
  }
  return best;
}
