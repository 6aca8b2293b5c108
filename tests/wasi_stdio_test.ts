/**
 * The in-memory stdio of the public API (src/wasi/stdio.ts): `BytesSource` serves its bytes with
 * Deno's `readSync` contract (a count, then null at the end, never 0 for a non-empty buffer), and
 * `BufferSink` keeps everything written to it.
 */
import assert from "node:assert/strict";
import { BufferSink, BytesSource } from "../mod.ts";

Deno.test("BytesSource serves its bytes in reads of any size, then null at the end", () => {
  const src = new BytesSource(new Uint8Array([1, 2, 3, 4, 5]));
  const buf = new Uint8Array(2);
  assert.equal(src.readSync(buf), 2);
  assert.deepEqual([...buf], [1, 2]);
  assert.equal(src.readSync(new Uint8Array(0)), 0); // an empty buffer takes nothing, wherever it is
  assert.equal(src.readSync(buf), 2);
  assert.deepEqual([...buf], [3, 4]);
  const big = new Uint8Array(10);
  assert.equal(src.readSync(big), 1);
  assert.equal(big[0], 5);
  assert.equal(src.readSync(big), null);
  assert.equal(src.readSync(big), null); // and stays at the end
});

Deno.test("BytesSource: text is served as UTF-8; an empty source is at its end at once", () => {
  const src = new BytesSource("é!");
  const buf = new Uint8Array(8);
  assert.equal(src.readSync(buf), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [0xc3, 0xa9, 0x21]);
  assert.equal(src.readSync(buf), null);
  assert.equal(new BytesSource("").readSync(buf), null);
  assert.equal(new BytesSource(new Uint8Array(0)).readSync(buf), null);
});

Deno.test("BufferSink takes every byte and keeps copies", () => {
  const sink = new BufferSink();
  const chunk = new TextEncoder().encode("ab");
  assert.equal(sink.writeSync(chunk), 2);
  chunk[0] = 0x78; // the caller reusing its buffer does not change what was written
  assert.equal(sink.writeSync(new TextEncoder().encode("cé")), 3);
  assert.equal(sink.text(), "abcé");
  assert.equal(sink.bytes().length, 5);
});
