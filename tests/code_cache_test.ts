/**
 * The compile cache: JS generated for a module's hot functions is written to a directory and read
 * back by a later run, which then generates no source for them and gives the same results, fuel and
 * traps. A damaged file, no write permission or --no-cache are no cache, never an error.
 */
import assert from "node:assert/strict";
import { fuelConsumed, loadCompiledCode, saveCompiledCode, WebAssembly as W } from "../mod.ts";
import { jitCounts } from "../src/engine/tiering.ts";
import { scriptReading } from "../src/engine/code_cache.ts";
import { cli, EXAMPLES } from "./cli_harness.ts";

const SHA256 = Deno.readFileSync(new URL("../bench/wasm/sha256.wasm", import.meta.url));

/** Runs sha256's `run(n)` on a fresh Module of the bytes, with the cache in `dir` (when given). */
async function runOnce(dir: string | null, options: object, save = true) {
  const module = new W.Module(SHA256);
  const restored = dir === null ? 0 : await loadCompiledCode(module, dir);
  const sources = jitCounts.sources;
  const instance = new W.Instance(module, {}, options);
  const result = (instance.exports.run as (n: number) => number)(20);
  const generated = jitCounts.sources - sources;
  const wrote = dir !== null && save && saveCompiledCode(module, dir);
  const fuel = "fuel" in options ? fuelConsumed(instance) : undefined;
  return { result, restored, generated, wrote, fuel };
}

/** Runs `body` with cache scripts of every size read through `node:vm`, with V8's code cache. */
async function withCodeCache(body: () => Promise<void>): Promise<void> {
  const before = scriptReading.minCodeCacheChars;
  scriptReading.minCodeCacheChars = 0;
  try {
    await body();
  } finally {
    scriptReading.minCodeCacheChars = before;
  }
}

Deno.test("a small module's cache script is read as plain JS: the code comes back, and no V8 code cache is kept", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
  try {
    const options = { tierUp: 0 };
    const first = await runOnce(dir, options);
    const second = await runOnce(dir, options);
    assert.deepEqual(second, { ...first, restored: first.generated, generated: 0, wrote: false });
    const [js, ...rest] = Deno.readDirSync(dir).toArray().map((e) => e.name);
    assert.ok(js.endsWith(".js") && Deno.statSync(`${dir}/${js}`).size < scriptReading.minCodeCacheChars);
    assert.deepEqual(rest, [], "a .v8 file beside a small script");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

for (const [kind, options] of [["no meter", { tierUp: 0 }], ["fuel", { tierUp: 0, fuel: 1e12 }]] as const) {
  Deno.test(`a second run reads the first one's code back and generates none (${kind})`, () =>
    withCodeCache(async () => {
      const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
      try {
        const plain = await runOnce(null, options);
        const first = await runOnce(dir, options);
        assert.ok(first.generated > 0 && first.restored === 0 && first.wrote, JSON.stringify(first));
        const second = await runOnce(dir, options);
        assert.deepEqual(second, { ...first, restored: first.generated, generated: 0, wrote: false });
        assert.equal(second.result, plain.result);
        assert.equal(second.fuel, plain.fuel);
        // The second run had nothing to add: it kept V8's code cache of what it read instead.
        const names = () => Deno.readDirSync(dir).toArray().map((e) => e.name).sort();
        const [js, v8] = names();
        assert.ok(js.endsWith(".js") && v8 === js.replace(/\.js$/, ".v8"), names().join(" "));
        const written = Deno.statSync(`${dir}/${v8}`).mtime;
        const third = await runOnce(dir, options);
        assert.deepEqual(third, second);
        assert.deepEqual(
          Deno.statSync(`${dir}/${v8}`).mtime,
          written,
          "V8 took its code cache: nothing to write",
        );
        assert.equal(names().length, 2, "two files per module");
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }));
}

Deno.test("code read back in a process that numbers function types differently checks call_indirect right", () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
  const child = (mode: string) => {
    const out = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./code_cache_child.ts", import.meta.url).pathname, mode, dir],
    }).outputSync();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    return JSON.parse(text);
  };
  try {
    assert.deepEqual(child("save"), { result: 63, restored: 0 });
    assert.deepEqual(child("load"), { result: 63, restored: 3 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** `bytes` with a custom section appended: the same module under another hash (another cache file). */
function variant(bytes: Uint8Array, tag: string): Uint8Array {
  const name = new TextEncoder().encode(tag);
  return new Uint8Array([...bytes, 0, name.length + 1, name.length, ...name]);
}

Deno.test("a damaged cache file is no cache, and the next save replaces it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
  try {
    const junks = [
      "({ format: 2, units: [[",
      "({ format: 2, units: 7 })",
      "({ format: 1, units: [] })",
      "\u0000",
    ];
    for (const [i, junk] of junks.entries()) {
      // Each damage gets a module (and file) of its own, as a module remembers the cache it read.
      const bytes = variant(SHA256, `junk${i}`);
      const first = new W.Module(bytes);
      const want = (new W.Instance(first, {}, { tierUp: 0 }).exports.run as (n: number) => number)(3);
      assert.ok(saveCompiledCode(first, dir));
      const file = Deno.readDirSync(dir).toArray().find((e) => !files.has(e.name))!;
      files.add(file.name);
      Deno.writeTextFileSync(`${dir}/${file.name}`, junk);
      const second = new W.Module(bytes);
      assert.equal(await loadCompiledCode(second, dir), 0, `${JSON.stringify(junk)} read as code`);
      assert.equal((new W.Instance(second, {}, { tierUp: 0 }).exports.run as (n: number) => number)(3), want);
      assert.ok(saveCompiledCode(second, dir), "the damaged file is replaced");
      assert.ok(Deno.readTextFileSync(`${dir}/${file.name}`).includes("units: ["));
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
const files = new Set<string>();

Deno.test("V8's code cache is taken only whole and for the script it was made of", () =>
  withCodeCache(async () => {
    const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
    const run = async (bytes: Uint8Array) => {
      const module = new W.Module(bytes);
      const restored = await loadCompiledCode(module, dir);
      const result = (new W.Instance(module, {}, { tierUp: 0 }).exports.run as (n: number) => number)(3);
      saveCompiledCode(module, dir);
      return { restored, result };
    };
    try {
      const damages: [string, (file: Uint8Array) => Uint8Array][] = [
        ["a byte of V8's code flipped", (f) => f.map((b, i) => i === f.length - 100 ? b ^ 0x40 : b)],
        ["cut short", (f) => f.subarray(0, f.length >> 1)],
        ["the hash of another script", (f) => f.map((b, i) => i === 3 ? b ^ 1 : b)],
      ];
      for (const [i, [what, damage]] of damages.entries()) {
        const bytes = variant(SHA256, `v8-${i}`);
        const first = await run(bytes); // writes the script
        const second = await run(bytes); // reads it and writes V8's code cache of it
        const v8 = Deno.readDirSync(dir).toArray().map((e) => e.name).find((n) =>
          n.endsWith(".v8") && !files.has(n)
        )!;
        files.add(v8);
        const damaged = damage(Deno.readFileSync(`${dir}/${v8}`));
        Deno.writeFileSync(`${dir}/${v8}`, damaged);
        const third = await run(bytes);
        assert.deepEqual(third, second, what);
        assert.equal(first.result, third.result);
        assert.notDeepEqual(Deno.readFileSync(`${dir}/${v8}`), damaged, `${what}: taken as it was`);
        const replaced = Deno.statSync(`${dir}/${v8}`).mtime;
        assert.deepEqual(await run(bytes), second);
        assert.deepEqual(Deno.statSync(`${dir}/${v8}`).mtime, replaced, `${what}: the new one was not taken`);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }));

Deno.test("the command line keeps its compile cache in --cache-dir, and --no-cache keeps none", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
  const data = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-data-" });
  try {
    for (const f of ["poem.txt", "notes.md"]) Deno.copyFileSync(`${EXAMPLES}${f}`, `${data}/${f}`);
    Deno.writeTextFileSync(`${data}/report.txt`, "");
    // Each run starts from the same files (the program writes report.txt).
    const run = (...options: string[]) => {
      Deno.removeSync(`${data}/report.txt`, { recursive: true });
      return cli([
        "exec",
        ...options,
        "--tier-up",
        "0",
        "--dir",
        `${data}::/data`,
        `${EXAMPLES}wordcount.wasm`,
      ]);
    };
    const none = await run("--no-cache", "--cache-dir", dir);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(Deno.readDirSync(dir).toArray().length, 0, "--no-cache wrote a cache");
    const first = await run("--cache-dir", dir);
    const written = Deno.readDirSync(dir).toArray();
    assert.equal(written.length, 1);
    const mtime = Deno.statSync(`${dir}/${written[0].name}`).mtime;
    const second = await run("--cache-dir", dir);
    assert.deepEqual([first, second], [none, none]);
    assert.deepEqual(Deno.statSync(`${dir}/${written[0].name}`).mtime, mtime, "nothing new to write");
  } finally {
    Deno.removeSync(dir, { recursive: true });
    Deno.removeSync(data, { recursive: true });
  }
});

Deno.test("without write permission to the cache directory, the command line runs and writes no cache", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-code-cache-" });
  try {
    const cliPath = new URL("../cli.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        cliPath,
        "exec",
        "--cache-dir",
        dir,
        "--tier-up",
        "0",
        `${EXAMPLES}wordcount.wasm`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(Deno.readDirSync(dir).toArray().length, 0);
    assert.doesNotMatch(stderr, /cache|permission|prompt/i);
    const inProcess = await cli(["exec", "--no-cache", "--tier-up", "0", `${EXAMPLES}wordcount.wasm`]);
    assert.equal(out.code, inProcess.code, stderr);
    assert.equal(new TextDecoder().decode(out.stdout), inProcess.stdout);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// Declarations of the JS tier that do not shape the generated code: the key's own parts, an error
// class, a per-module memo, an empty array, and `Kind` (a `const enum`: its members are inlined).
const NOT_IN_KEY = new Set([
  "generatorText",
  "numericText",
  "simdText",
  "gcText",
  "namesText",
  "bridgesText",
  "Unsupported",
  "tailCallers",
  "EMPTY",
  "enum",
]);

Deno.test("the cache's key holds every function and constant the JS tier generates code with", async () => {
  const { generatorText } = await import("../src/jit/compile.ts");
  const key = generatorText();
  for (const file of ["compile", "numeric", "simd", "gc", "names", "bridges"]) {
    const source = Deno.readTextFileSync(new URL(`../src/jit/${file}.ts`, import.meta.url));
    for (const [, kind, name] of source.matchAll(/^(?:export )?(function|class|const) ([A-Za-z0-9_]+)/gm)) {
      if (NOT_IN_KEY.has(name)) continue;
      const spelled = kind === "const" ? `"${name}"` : `${kind} ${name}`;
      assert.ok(key.includes(spelled), `src/jit/${file}.ts: ${kind} ${name} is not in generatorText()`);
    }
  }
});
