/**
 * Test helper: builds small modules from WebAssembly text with wabt's `wat2wasm` (a Debian package
 * that `.ci/run` installs). Tests that need it are ignored when it is missing: said once per run on
 * stderr, or, with CI=true, a failing test (see spec/prerequisites.ts).
 */
import { missingPrerequisite } from "./spec/prerequisites.ts";

const cache = new Map<string, Uint8Array<ArrayBuffer>>();

export const haveWat2Wasm: boolean = (() => {
  try {
    return new Deno.Command("wat2wasm", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

if (!haveWat2Wasm) {
  missingPrerequisite(
    "wat2wasm",
    "the tests that build modules from WebAssembly text",
    "install wabt: apt-get install wabt",
  );
}

/** Compiles WAT text to module bytes (the features of Wasm 2.0; SIMD only when asked for). */
export function wat(text: string, options: { simd?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const key = `${options.simd ? "simd:" : ""}${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-wat-" });
  try {
    Deno.writeTextFileSync(`${dir}/m.wat`, text);
    const out = new Deno.Command("wat2wasm", {
      args: [
        "--enable-all",
        ...(options.simd ? [] : ["--disable-simd"]),
        "--debug-names",
        `${dir}/m.wat`,
        "-o",
        `${dir}/m.wasm`,
      ],
      stderr: "piped",
    }).outputSync();
    if (!out.success) throw new Error(`wat2wasm failed: ${new TextDecoder().decode(out.stderr)}`);
    const bytes = Deno.readFileSync(`${dir}/m.wasm`);
    cache.set(key, bytes);
    return bytes;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
