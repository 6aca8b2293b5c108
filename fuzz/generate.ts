/**
 * Random valid modules from binaryen's translate-to-fuzz mode: `wasm-opt -ttf` reads an input file
 * as a stream of random choices and builds a module from it. The modules import the
 * `fuzzing-support` logging functions, export invokers, and carry a hang limit (a global counted
 * down at every loop back-edge and function entry, reset by the `hangLimitInitializer` export),
 * so every call terminates.
 */
import { wasmOpt132 } from "./binaryen132.ts";
import { generateExprModule } from "./exprgen.ts";
import { Prng } from "./prng.ts";

/** Features the engine does not implement (everything past Wasm 2.0, and SIMD for now). */
export const DISABLED_FEATURES: readonly string[] = [
  "--disable-simd",
  "--disable-relaxed-simd",
  "--disable-threads",
  "--disable-exception-handling",
  "--disable-tail-call",
  "--disable-gc",
  "--disable-gc-nn-locals",
  "--disable-typed-function-references",
  "--disable-memory64",
  "--disable-extended-const",
];

/** Wasm 2.0 features, on (wasm-opt 108 leaves some off by default). */
export const ENABLED_FEATURES: readonly string[] = [
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int",
  "--enable-bulk-memory",
  "--enable-multivalue",
];

/**
 * binaryen 108 fuzzes reference types as its own anyref/typed-reference dialect: three modules in
 * four with them on are invalid Wasm 2.0 (V8 rejects them; they still test that our validator
 * rejects them too). So they are on for a quarter of the modules only.
 */
export const REFERENCE_TYPES = "--enable-reference-types";

/** Every feature flag, reference types on: what wasm-reduce may use while shrinking. */
export const FEATURE_FLAGS: readonly string[] = [...ENABLED_FEATURES, REFERENCE_TYPES, ...DISABLED_FEATURES];

/**
 * Wasm 3.0, for binaryen 132 (the npm package; binaryen3 below). Every module starts from
 * `--mvp-features`, so nothing wasmrun lacks (GC, strings, threads, stack switching, fp16, wide
 * arithmetic…) is ever on; of these, the 2.0 ones are always on and each 3.0 one is on for three
 * modules in four (tail calls, multiple memories, memory64 — with table64 —, extended constant
 * expressions, SIMD and relaxed SIMD), so that each is also fuzzed without the others.
 */
export const WASM3_ALWAYS: readonly string[] = [
  "--mvp-features",
  ...ENABLED_FEATURES,
  "--enable-bulk-memory-opt",
  "--enable-call-indirect-overlong",
  "--enable-reference-types",
];
export const WASM3_OPTIONAL: readonly string[] = [
  "--enable-tail-call",
  "--enable-multimemory",
  "--enable-memory64",
  "--enable-extended-const",
  "--enable-simd",
  "--enable-relaxed-simd",
];
/** Exception handling (exnref: binaryen's legacy `try` is translated to `try_table` after -ttf). */
export const WASM3_EXCEPTIONS = "--enable-exception-handling";
/**
 * Wasm GC (the `gc` generator): structs, arrays, i31, casts, and the typed function references it
 * brings. Nothing past what V8 runs by default: no strings (stringref), shared-everything, custom
 * descriptors or stack switching, which `--mvp-features` leaves off.
 */
export const WASM3_GC = "--enable-gc";

/** Whether the engine has exception handling yet (its namespace has Tag, Exception and JSTag). */
export async function engineHasExceptions(): Promise<boolean> {
  const { WebAssembly: engine } = await import("../mod.ts");
  const ns = engine as unknown as Record<string, unknown>;
  return typeof ns.Tag === "function" && typeof ns.Exception === "function" && ns.JSTag !== undefined;
}

/** Every 3.0 flag: what a reduction of a binaryen3 module may use. */
export function wasm3Flags(exceptions: boolean, gc = false): string[] {
  return [
    ...WASM3_ALWAYS,
    ...WASM3_OPTIONAL,
    ...(exceptions ? [WASM3_EXCEPTIONS] : []),
    ...(gc ? [WASM3_GC] : []),
  ];
}

export interface GeneratedModule {
  /** `seed:index`, enough to regenerate it with `--seed S --only I` (and the same --generator). */
  id: string;
  bytes: Uint8Array;
  /**
   * "binaryen" (Debian's 108, Wasm 2.0), "binaryen3" (npm's 132, Wasm 3.0), or "expr" for
   * exprgen.ts's numeric-code modules.
   */
  generator: "binaryen" | "binaryen3" | "expr";
  /** The wasm-opt flags it was generated with (-fp: binaryen also ran random optimisation passes). */
  flags: string[];
  /** A Wasm 3.0 module (binaryen3's, or exprgen's in mixed3): no wabt tie-break, reduce3.ts. */
  wasm3?: boolean;
}

/**
 * Which generators a run uses: "mixed" alternates binaryen (even indices) and exprgen; "mixed3"
 * (the default) does the same with binaryen3 in place of binaryen; "gc" is binaryen3 with Wasm GC on
 * in every module.
 */
export type GeneratorChoice = "binaryen" | "binaryen3" | "expr" | "mixed" | "mixed3" | "gc";

export const GENERATOR_CHOICES: readonly GeneratorChoice[] = [
  "binaryen",
  "binaryen3",
  "expr",
  "mixed",
  "mixed3",
  "gc",
];

/** Options of a run that shape its modules. */
export interface GenerateOptions {
  /** Exception handling on in binaryen3's modules. */
  exceptions: boolean;
  /** Wasm GC on in every binaryen3 module (the `gc` generator). */
  gc?: boolean;
}

/** Module `index` of the run with `seed`, from the generator `choice` picks for it. */
export function generateModule(
  seed: number,
  index: number,
  workDir: string,
  choice: GeneratorChoice,
  options: GenerateOptions = { exceptions: false },
): Promise<GeneratedModule> {
  const mixed = choice === "mixed" || choice === "mixed3";
  if (choice === "expr" || (mixed && index % 2 === 1)) {
    // A different stream from binaryen's input for the same seed and index.
    const bytes = generateExprModule(((BigInt(seed) << 32n) | BigInt(index)) ^ 0x5bd1e995n, {
      wasm3: choice === "mixed3",
      exceptions: options.exceptions,
    });
    return Promise.resolve({
      id: `${seed}:${index}`,
      bytes,
      generator: "expr",
      flags: [],
      wasm3: choice === "mixed3",
    });
  }
  if (choice === "binaryen3" || choice === "mixed3") return generate3(seed, index, workDir, options);
  if (choice === "gc") return generate3(seed, index, workDir, { ...options, gc: true });
  return generate(seed, index, workDir);
}

/** The random input for module `index` of a run with `seed`: independent of other modules. */
export function inputFor(seed: number, index: number): { input: Uint8Array; flags: string[] } {
  const prng = new Prng((BigInt(seed) << 32n) | BigInt(index));
  const flags = [...ENABLED_FEATURES, ...DISABLED_FEATURES];
  flags.push(prng.int(0, 3) === 0 ? REFERENCE_TYPES : "--disable-reference-types");
  if (prng.int(0, 2) === 0) flags.push("-fp");
  return { input: prng.bytes(prng.int(1024, 65536)), flags };
}

/**
 * Generates module `index` of the run with `seed`. `--denan` replaces NaNs by 0 at run time,
 * because the spec lets NaN bit patterns differ between engines (they would show up in logs and
 * memory hashes as false mismatches).
 */
export async function generate(seed: number, index: number, workDir: string): Promise<GeneratedModule> {
  let { input, flags } = inputFor(seed, index);
  const inPath = `${workDir}/input.bin`, outPath = `${workDir}/module.wasm`;
  await Deno.writeFile(inPath, input);
  const run = (flags: string[]) =>
    new Deno.Command("wasm-opt", {
      args: [inPath, "-ttf", ...flags, "--denan", "-o", outPath],
      stdout: "null",
      stderr: "piped",
    }).output();
  let out = await run(flags);
  // Some random pass pipelines (-fp) hit binaryen's own limits ("Flatten was forced to add a
  // local of a type it cannot handle"): the same input without them still gives a module.
  if (!out.success && flags.includes("-fp")) {
    flags = flags.filter((f) => f !== "-fp");
    out = await run(flags);
  }
  if (!out.success) {
    throw new Error(`wasm-opt failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return { id: `${seed}:${index}`, bytes: await Deno.readFile(outPath), generator: "binaryen", flags };
}

/** The random input and flags of binaryen3's module `index` of a run with `seed`. */
export function input3For(
  seed: number,
  index: number,
  options: GenerateOptions,
): { input: Uint8Array; flags: string[] } {
  // Another stream than binaryen 108's for the same seed and index.
  const prng = new Prng(((BigInt(seed) << 32n) | BigInt(index)) ^ 0x3c6ef372fe94f82bn);
  const flags = [...WASM3_ALWAYS];
  for (const flag of WASM3_OPTIONAL) if (prng.int(0, 3) !== 0) flags.push(flag);
  // Relaxed SIMD needs SIMD.
  if (flags.includes("--enable-relaxed-simd") && !flags.includes("--enable-simd")) {
    flags.push("--enable-simd");
  }
  if (options.exceptions && prng.int(0, 3) !== 0) flags.push(WASM3_EXCEPTIONS);
  if (prng.int(0, 2) === 0) flags.push("-fp");
  // After the other draws, so that a module's other flags are those binaryen3 gives it.
  if (options.gc) flags.push(WASM3_GC);
  return { input: prng.bytes(prng.int(1024, 65536)), flags };
}

/**
 * Generates binaryen3's module `index` of the run with `seed` with npm binaryen 132's `-ttf`
 * (in this process: binaryen132.ts). `--denan` as for binaryen 108 (it covers v128 lanes too);
 * `--emit-exnref` turns the legacy `try`/`catch`/`rethrow`/`delegate` that binaryen's fuzzer
 * writes into Wasm 3.0's `try_table`/`throw_ref` (the legacy instructions are not in 3.0).
 */
export async function generate3(
  seed: number,
  index: number,
  workDir: string,
  options: GenerateOptions,
): Promise<GeneratedModule> {
  let { input, flags } = input3For(seed, index, options);
  const inPath = `${workDir}/input3.bin`, outPath = `${workDir}/module3.wasm`;
  await Deno.writeFile(inPath, input);
  const tool = await wasmOpt132();
  const run = (flags: string[]) => {
    const eh = flags.includes(WASM3_EXCEPTIONS) ? ["--emit-exnref"] : [];
    return tool.run([inPath, "-ttf", ...flags, "--denan", ...eh, "-o", outPath]);
  };
  let out = await run(flags);
  if (out.status !== 0 && flags.includes("-fp")) {
    flags = flags.filter((f) => f !== "-fp");
    out = await run(flags);
  }
  if (out.status !== 0) throw new Error(`wasm-opt 132 failed (${out.status}): ${out.stderr.trim()}`);
  return {
    id: `${seed}:${index}`,
    bytes: await Deno.readFile(outPath),
    generator: "binaryen3",
    flags,
    wasm3: true,
  };
}
