/** Our synchronous SHA-256 (src/host/sha256.ts) gives Web Crypto's digest, at every length around a block's. */
import assert from "node:assert/strict";
import { hex, sha256 } from "../src/host/sha256.ts";

async function webDigest(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
}

Deno.test("sha256 agrees with Web Crypto on random bytes of every length up to three blocks, and longer", async () => {
  for (let n = 0; n <= 200; n++) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    assert.equal(hex(sha256(bytes)), await webDigest(bytes), `${n} bytes`);
  }
  const long = new Uint8Array(1_000_003).map((_, i) => (i * 131) >> 3);
  assert.equal(hex(sha256(long)), await webDigest(long));
});

Deno.test("sha256 of a string digests its UTF-8 bytes (FIPS 180-4's own example, and non-ASCII text)", async () => {
  assert.equal(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const text = "wasmrun · ünïcödé · 𝔘";
  assert.equal(hex(sha256(text)), await webDigest(new TextEncoder().encode(text)));
});
