// Checks of the GC benchmarks (bench/gc.ts), run with `deno test -A bench/`: our parser turns each
// bench/gc/*.wat into a module that V8 runs to the recorded checksum, and both of our tiers give V8's
// answer on a smaller size of each (these need our engine's Wasm GC).

import assert from "node:assert/strict";
import { GC_PROGRAMS, gcProgramBytes } from "./gc.ts";
import { WebAssembly as Ours } from "../mod.ts";

const run = (api: typeof Ours, bytes: Uint8Array, options: object, arg: number) =>
  (new api.Instance(new api.Module(bytes), {}, options).exports.run as (n: number) => number)(arg);
const V8 = WebAssembly as unknown as typeof Ours;

Deno.test("the GC benchmarks, parsed by our parser, return their recorded checksums on V8", () => {
  for (const program of GC_PROGRAMS) {
    assert.equal(run(V8, gcProgramBytes(program), {}, program.arg), program.expected, program.name);
  }
});

/** Each program at a size that runs in well under a second on our interpreter. */
const SMALL: Record<string, number> = { gc_binary_trees: 8, gc_arrays: 40 };

Deno.test("the GC benchmarks on both of our tiers: V8's checksums", () => {
  for (const program of GC_PROGRAMS) {
    const bytes = gcProgramBytes(program);
    const v8 = run(V8, bytes, {}, SMALL[program.name]);
    for (const options of [{ jit: false }, { tierUp: 0 }]) {
      assert.equal(
        run(Ours, bytes, options, SMALL[program.name]),
        v8,
        `${program.name} ${JSON.stringify(options)}`,
      );
    }
  }
});
