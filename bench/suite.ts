/**
 * Runs the measurements: each program on each engine (checksums checked on every call), and the
 * large-module preparation timings. Failures are recorded in the results, never thrown, so one
 * broken benchmark does not hide the others.
 */

import { type Engine, errorText } from "./engines.ts";
import { generateBigModule, withSalt } from "./big_module.ts";
import { geometricMean, timeRuns, type TimingOptions } from "./measure.ts";
import { loadProgramBytes, type Program } from "./programs.ts";
import type { BigModuleResult, BigModuleRun, EngineRun, ProgramResult } from "./report.ts";

/** The extra `new WebAssembly.Module` argument that asks wasmrun to lower every function up front. */
export const EAGER_LOWERING = { lowering: "eager" } as const;
const EAGER_LOWERING_SOURCE = '{ lowering: "eager" }';

const MB = 1024 * 1024;

class ChecksumError extends Error {}

export function formatChecksum(value: unknown): string {
  return typeof value === "bigint" ? `${value}n` : String(value);
}

function log(message: string): void {
  console.error(message);
}

/** Instantiates `program` on `engine` and times its `run(arg)`. */
function runProgram(program: Program, engine: Engine, timing: TimingOptions): EngineRun {
  let checksum: string | undefined;
  try {
    const module = new engine.api.Module(loadProgramBytes(program));
    const run = new engine.api.Instance(module, {}, engine.instanceOptions).exports.run as (
      n: number,
    ) => unknown;
    const expected = formatChecksum(program.expected);
    const t = timeRuns(() => run(program.arg), timing, (result) => {
      checksum = formatChecksum(result);
      if (checksum !== expected) {
        throw new ChecksumError(`checksum mismatch: got ${checksum}, expected ${expected}`);
      }
    });
    return { seconds: t.best, times: t.times, checksum };
  } catch (err) {
    const error = err instanceof ChecksumError ? err.message : errorText(err);
    return { error, checksum };
  }
}

/** One untimed call of `program` on `engine` (errors surface in the timed runs). */
function prime(program: Program, engine: Engine): void {
  try {
    const module = new engine.api.Module(loadProgramBytes(program));
    (new engine.api.Instance(module, {}, engine.instanceOptions).exports.run as (n: number) => unknown)(
      program.arg,
    );
  } catch {
    // reported by runProgram
  }
}

export function runPrograms(
  programs: Program[],
  engines: Engine[],
  timing: TimingOptions,
  errors: string[],
): { results: ProgramResult[]; geomeanRatio?: number; geomeanInterpreterRatio?: number } {
  const results: ProgramResult[] = [];
  for (const program of programs) {
    const result: ProgramResult = { name: program.name, what: program.what, arg: program.arg, engines: {} };
    // Run every engine once before timing any: wasmrun and wasmrun+fuel share JIT-compiled code,
    // so whichever ran second would otherwise meet code tuned for the first.
    for (const engine of engines) prime(program, engine);
    for (const engine of engines) {
      log(`${program.name} (${program.what}), n=${program.arg}: ${engine.name} ...`);
      const run = runProgram(program, engine, timing);
      result.engines[engine.name] = run;
      if (run.error) errors.push(`${program.name} [${engine.name}]: ${run.error}`);
    }
    const { v8, wasmrun, interpreter, fuel } = result.engines;
    if (wasmrun?.seconds && fuel?.seconds && !wasmrun.error && !fuel.error) {
      result.fuelOverhead = fuel.seconds / wasmrun.seconds - 1;
    }
    for (const [name, run] of Object.entries(result.engines)) {
      if (v8?.checksum && run.checksum && v8.checksum !== run.checksum) {
        errors.push(`${program.name}: engines disagree: v8 ${v8.checksum}, ${name} ${run.checksum}`);
      }
    }
    if (v8?.seconds && wasmrun?.seconds && !v8.error && !wasmrun.error) {
      result.ratio = wasmrun.seconds / v8.seconds;
    }
    if (v8?.seconds && interpreter?.seconds && !v8.error && !interpreter.error) {
      result.interpreterRatio = interpreter.seconds / v8.seconds;
    }
    results.push(result);
  }
  const ratios = results.flatMap((r) => (r.ratio ? [r.ratio] : []));
  const interpreterRatios = results.flatMap((r) => (r.interpreterRatio ? [r.interpreterRatio] : []));
  return {
    results,
    geomeanRatio: ratios.length > 0 ? geometricMean(ratios) : undefined,
    geomeanInterpreterRatio: interpreterRatios.length > 0 ? geometricMean(interpreterRatios) : undefined,
  };
}

/** Times module preparation for the generated large module on one engine. */
function measureBigModule(
  engine: Engine,
  fresh: () => { bytes: Uint8Array; salt: number },
  distinct: () => { bytes: Uint8Array; codeBytes: number },
  codeBytes: number,
  timing: TimingOptions,
): BigModuleRun {
  const api = engine.api;
  try {
    const compile = () => {
      // Fresh bytes per call (outside the timed region) so no engine can reuse an earlier compile.
      const { bytes } = fresh();
      const t0 = performance.now();
      new api.Module(bytes);
      return (performance.now() - t0) / 1000;
    };
    const bestOf = (fn: () => number) => {
      for (let i = 0; i < timing.warmup; i++) fn();
      const times: number[] = [];
      for (let i = 0; i < Math.max(1, timing.runs); i++) times.push(fn());
      return Math.min(...times);
    };
    const run: BigModuleRun = {};
    run.decodeSeconds = bestOf(() => compile());
    run.decodeMBps = codeBytes / MB / run.decodeSeconds;
    if (engine.name !== "v8") {
      // A module of its own per run (another seed), not just another salt: functions that compile to
      // the same JS would come out of V8's compilation cache. Timed per MB of its code.
      const secondsPerMB = bestOf(() => {
        const { bytes, codeBytes } = distinct();
        const t0 = performance.now();
        new api.Instance(new api.Module(bytes, EAGER_LOWERING), {});
        return (performance.now() - t0) / 1000 / (codeBytes / MB);
      });
      run.eagerMBps = 1 / secondsPerMB;
      run.eagerSeconds = secondsPerMB * codeBytes / MB;
      // Lowering keeps nothing between modules: salted bytes make a module of their own.
      run.lowerSeconds = bestOf(() => {
        const { bytes } = fresh();
        const t0 = performance.now();
        new api.Instance(new api.Module(bytes, EAGER_LOWERING), {}, { jit: false });
        return (performance.now() - t0) / 1000;
      });
      run.lowerMBps = codeBytes / MB / run.lowerSeconds;
    }
    run.firstCallSeconds = bestOf(() => {
      const { bytes, salt } = fresh();
      const t0 = performance.now();
      const instance = new api.Instance(new api.Module(bytes), {});
      const result = (instance.exports.entry as () => unknown)();
      const elapsed = (performance.now() - t0) / 1000;
      if (result !== salt) {
        throw new ChecksumError(`entry() returned ${formatChecksum(result)}, expected ${salt}`);
      }
      return elapsed;
    });
    return run;
  } catch (err) {
    return { error: err instanceof ChecksumError ? err.message : errorText(err) };
  }
}

export function runBigModule(
  targetMB: number,
  engines: Engine[],
  timing: TimingOptions,
  errors: string[],
): BigModuleResult {
  // metering does not change decoding; the interpreter's lowering is what eager lowering measures
  engines = engines.filter((e) => e.name !== "fuel" && e.name !== "interpreter");
  log(`large module: generating ~${targetMB} MB of code ...`);
  const t0 = performance.now();
  const big = generateBigModule({ targetCodeBytes: Math.round(targetMB * MB) });
  const generateSeconds = (performance.now() - t0) / 1000;
  let salt = 1;
  const fresh = () => {
    salt++;
    return { bytes: withSalt(big, salt), salt };
  };
  let seed = 0x5eed;
  const distinct = () => generateBigModule({ targetCodeBytes: Math.round(targetMB * MB), seed: ++seed });
  const result: BigModuleResult = {
    moduleBytes: big.bytes.length,
    codeBytes: big.codeBytes,
    functionCount: big.functionCount,
    generateSeconds,
    eagerOption: EAGER_LOWERING_SOURCE,
    engines: {},
  };
  for (const engine of engines) {
    log(`large module: ${engine.name} ...`);
    const run = measureBigModule(engine, fresh, distinct, big.codeBytes, timing);
    result.engines[engine.name] = run;
    if (run.error) errors.push(`large module [${engine.name}]: ${run.error}`);
  }
  return result;
}
