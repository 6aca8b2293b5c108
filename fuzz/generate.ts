/**
 * Random valid modules from binaryen's translate-to-fuzz mode: `wasm-opt -ttf` reads an input file
 * as a stream of random choices and builds a module from it. The modules import the
 * `fuzzing-support` logging functions, export invokers, and carry a hang limit (a global counted
 * down at every loop back-edge and function entry, reset by the `hangLimitInitializer` export),
 * so every call terminates.
 */
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

export interface GeneratedModule {
  /** `seed:index`, enough to regenerate it with `--seed S --only I` (and the same --generator). */
  id: string;
  bytes: Uint8Array;
  /** "binaryen", or "expr" for exprgen.ts's numeric-code modules. */
  generator: "binaryen" | "expr";
  /** The wasm-opt flags it was generated with (-fp: binaryen also ran random optimisation passes). */
  flags: string[];
}

/** Which generators a run uses: "mixed" alternates, binaryen for even indices. */
export type GeneratorChoice = "binaryen" | "expr" | "mixed";

/** Module `index` of the run with `seed`, from the generator `choice` picks for it. */
export function generateModule(
  seed: number,
  index: number,
  workDir: string,
  choice: GeneratorChoice,
): Promise<GeneratedModule> {
  if (choice === "expr" || (choice === "mixed" && index % 2 === 1)) {
    // A different stream from binaryen's input for the same seed and index.
    const bytes = generateExprModule(((BigInt(seed) << 32n) | BigInt(index)) ^ 0x5bd1e995n);
    return Promise.resolve({ id: `${seed}:${index}`, bytes, generator: "expr", flags: [] });
  }
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
