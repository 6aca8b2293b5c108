// Checks of the benchmark inputs themselves, run with `deno test -A bench/`: the binary writer's
// encodings, the generated large module's validity and determinism, and that the committed
// program builds still produce the recorded checksums on V8.

import assert from "node:assert/strict";
import { ByteWriter, patchPaddedS32 } from "./wasm_writer.ts";
import { generateBigModule, withSalt } from "./big_module.ts";
import { loadProgramBytes, PROGRAMS } from "./programs.ts";
import { formatChecksum } from "./suite.ts";

Deno.test("LEB128 encodings match the spec's examples", () => {
  const bytes = (f: (w: ByteWriter) => ByteWriter) => [...f(new ByteWriter()).view()];
  assert.deepEqual(bytes((w) => w.u32(624485)), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(bytes((w) => w.u32(0xffffffff)), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(bytes((w) => w.s32(-123456)), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(bytes((w) => w.s32(64)), [0xc0, 0x00]);
  assert.deepEqual(bytes((w) => w.s32(-64)), [0x40]);
  assert.deepEqual(bytes((w) => w.s64(-(1n << 63n))), [
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x80,
    0x7f,
  ]);
  const padded = new Uint8Array(5);
  patchPaddedS32(padded, 0, 0x7fffffff);
  assert.deepEqual([...padded], [0xff, 0xff, 0xff, 0xff, 0x07]);
});

Deno.test("the generated large module is valid, sized as asked and deterministic", () => {
  const target = 256 * 1024;
  const big = generateBigModule({ targetCodeBytes: target });
  assert.ok(big.codeBytes >= target && big.codeBytes < target + 16 * 1024, `code section ${big.codeBytes}`);
  assert.ok(big.functionCount > 50);
  assert.deepEqual(generateBigModule({ targetCodeBytes: target }).bytes, big.bytes);
  // V8 validates every function body eagerly, so this fails on any encoding or typing mistake.
  const instance = new WebAssembly.Instance(new WebAssembly.Module(withSalt(big, 123456789)));
  assert.equal((instance.exports.entry as () => number)(), 123456789);
});

Deno.test("the committed program builds return their recorded checksums on V8", () => {
  for (const program of PROGRAMS) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(loadProgramBytes(program)));
    assert.deepEqual(Object.keys(instance.exports).sort(), ["memory", "run"], program.name);
    const run = instance.exports.run as (n: number) => unknown;
    assert.equal(formatChecksum(run(program.arg)), formatChecksum(program.expected), program.name);
  }
});
