/**
 * `wasmrun exec --engine v8`: the guest runs on Deno's built-in WebAssembly under the same WASI host.
 * Which engine ran is visible in a trap: wasmrun's engine prints a wasm backtrace, V8's error carries
 * none. Flags only wasmrun's engine implements are usage errors; --max-memory rewrites the module's
 * memory maxima; --timeout runs the guest in a worker that is terminated (subprocess cases).
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { decodeModule } from "../src/wasm/decoder.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import { engineOnlyFlags } from "../src/cli/engine_v8.ts";
import { CliFailure } from "../src/cli/failure.ts";
import { capMemoryMaximum } from "../src/cli/memory_cap_v8.ts";
import { cli, type CliResult, ENGINES, FIX, isOneLineError } from "./cli_harness.ts";
import { wat } from "./wat.ts";

const [[, OURS], [, V8]] = ENGINES;
const CLI = new URL("../cli.ts", import.meta.url).pathname;
const SRC = new URL("../src", import.meta.url).pathname;

const MODULES: Record<string, string> = {
  grow: `(module (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`,
  bigmem: `(module (memory (export "memory") 100) (func (export "_start")))`,
  spin: `(module (memory (export "memory") 1)
    (func $spin (loop $l (br $l)))
    (func (export "_start") (call $spin)))`,
  recurse: `(module (memory (export "memory") 1)
    (func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))
    (func (export "_start") (call $down (i32.const 0))))`,
  mix: `(module (func (export "mix") (param i64 f64) (result i64 f64) (local.get 0) (local.get 1)))`,
};

let dir: string | undefined;
function modulePath(name: string): string {
  dir ??= Deno.makeTempDirSync({ prefix: "wasmrun_v8_" });
  const path = `${dir}/${name}.wasm`;
  Deno.writeFileSync(path, wat(MODULES[name]));
  return path;
}
globalThis.addEventListener("unload", () => {
  if (dir) Deno.removeSync(dir, { recursive: true });
});

Deno.test("--engine v8 runs on V8 whatever engine the caller set; --engine wasmrun on wasmrun's", async () => {
  for (const engine of [OURS, V8]) {
    const v8 = await cli(["--engine", "v8", `${FIX}trap.wasm`], { engine });
    assert.equal(v8.code, 134);
    assert.equal(v8.stdout, "before trap\n");
    assert.match(v8.stderr, /^Error: [^\n]*divide by zero\n$/, "V8: one line, no backtrace");
    const ours = await cli(["--engine=wasmrun", `${FIX}trap.wasm`], { engine });
    assert.equal(ours.code, 134);
    assert.match(ours.stderr, /^Error: [^\n]*divide by zero\nwasm backtrace:\n {2}0: 0x[0-9a-f]+ - /);
  }
  // V8's exhausted stack is a RangeError, reported as a trap all the same.
  const deep = await cli(["--engine", "v8", modulePath("recurse")]);
  assert.deepEqual(deep, { code: 134, stdout: "", stderr: "Error: Maximum call stack size exceeded\n" });
  const args = await cli(["--engine", "v8", "--env", "A=1", `${FIX}args_env.wasm`, "x"]);
  assert.equal(args.code, 0, args.stderr);
  assert.match(args.stdout, /^argc=2\nargv\[0\]=args_env\.wasm .*envc=1\nenv A=1 /s);
  const bad = await cli(["--engine", "spidermonkey", `${FIX}args_env.wasm`]);
  assert.ok(isOneLineError(bad));
  assert.deepEqual(bad, {
    code: 2,
    stdout: "",
    stderr: 'wasmrun: --engine "spidermonkey": expected wasmrun or v8\n',
  });
});

Deno.test("--engine v8 refuses the flags only wasmrun's engine implements: one line, exit 2", async () => {
  const flags: string[][] = [
    ["--fuel", "1000"],
    ["--max-stack", "100"],
    ["--profile"],
    ["--interpret"],
    ["--tier-up", "0"],
    ["--cache-dir", "/tmp/nowhere"],
  ];
  for (const flag of flags) {
    const r = await cli(["--engine", "v8", ...flag, `${FIX}args_env.wasm`]);
    assert.ok(isOneLineError(r), JSON.stringify(r));
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `wasmrun: ${flag[0]} needs wasmrun's engine: drop it or --engine v8\n`);
  }
  const two = await cli(["--engine", "v8", "--fuel", "5", "--interpret", `${FIX}args_env.wasm`]);
  assert.equal(two.stderr, "wasmrun: --fuel, --interpret need wasmrun's engine: drop them or --engine v8\n");
  // The list is what the parser set, so a flag the parser stores is not missed; --no-cache asks for nothing.
  const cmd = parseCommandLine(["--engine", "v8", "--no-cache", "--max-memory", "1MiB", "--trace", "m.wasm"]);
  assert.ok(cmd.command === "exec");
  assert.deepEqual(engineOnlyFlags(cmd), []);
  assert.equal((await cli(["--engine", "v8", "--no-cache", `${FIX}exit_code.wasm`, "7"])).code, 7);
});

Deno.test("--engine v8: --max-memory caps memory.grow (-1 past it) and refuses a larger minimum (exit 1)", async () => {
  const grow = modulePath("grow");
  const run = (args: string[]) => cli(["--engine", "v8", ...args]);
  assert.deepEqual(await run(["--max-memory", "128KiB", "-c", "grow", grow, "1"]), {
    code: 0,
    stdout: "1\n",
    stderr: "",
  });
  assert.equal((await run(["--max-memory", "128KiB", "-c", "grow", grow, "2"])).stdout, "-1\n");
  assert.equal((await run(["-c", "grow", grow, "2"])).stdout, "1\n", "no cap: it grows");
  const big = await run(["--max-memory", "1MiB", modulePath("bigmem")]);
  assert.ok(isOneLineError(big), JSON.stringify(big));
  assert.equal(big.code, 1);
  assert.match(
    big.stderr,
    /bigmem\.wasm: cannot instantiate: memory limit: the module needs 100 pages of 64 KiB, the limit is 16\n$/,
  );
  // The same message as wasmrun's own engine gives.
  const oursBig = await cli(["--max-memory", "1MiB", modulePath("bigmem")]);
  assert.equal(oursBig.stderr, big.stderr);
  assert.equal((await run(["--max-memory", "7MiB", modulePath("bigmem")])).code, 0);
});

Deno.test("--engine v8: --invoke parses and prints by signature", async () => {
  const r = await cli(["--engine", "v8", "--invoke", "mix", modulePath("mix"), "-0x10", "-0"]);
  assert.deepEqual(r, { code: 0, stdout: "-16\n-0\n", stderr: "" });
});

Deno.test("capMemoryMaximum rewrites every memory's maximum, other sections unchanged", () => {
  const bytes = wat(`(module (memory 1) (memory (export "m1") 2 3) (memory (export "m2") 4 70000)
    (memory i64 1 100)
    (func (export "f") (result i32) (i32.const 7)) (data (memory 1) (i32.const 0) "hi"))`);
  const capped = capMemoryMaximum(bytes, 5, "m.wasm");
  assert.deepEqual(decodeModule(capped).memories.map((m) => m.limits), [
    { min: 1, max: 5 },
    { min: 2, max: 3 },
    { min: 4, max: 5 },
    { min: 1, max: 5, address64: true },
  ]);
  assert.ok(capped.length < bytes.length, "70000 was a 3-byte LEB128, 5 is one byte");
  // The sections after the memory section are intact: V8 runs the code and applies the data.
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(capped as BufferSource));
  assert.equal((exports.f as () => number)(), 7);
  const m1 = exports.m1 as WebAssembly.Memory, m2 = exports.m2 as WebAssembly.Memory;
  assert.equal(new TextDecoder().decode(new Uint8Array(m1.buffer, 0, 2)), "hi");
  assert.equal(m2.grow(1), 4);
  assert.throws(() => m2.grow(1), RangeError, "past the cap of 5 pages");
  assert.throws(
    () => capMemoryMaximum(bytes, 3, "m.wasm"),
    (e) =>
      e instanceof CliFailure &&
      /m\.wasm: cannot instantiate: memory limit: the module needs 4 pages/.test(e.message),
  );
  const noMemory = wat(`(module (func))`);
  assert.equal(capMemoryMaximum(noMemory, 1, "m.wasm"), noMemory);
});

async function subprocess(denoFlags: string[], args: string[]): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...denoFlags, CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: text(out.stdout),
    stderr: text(out.stderr),
    ms: performance.now() - started,
  };
}

Deno.test("--engine v8 in a subprocess: traps exit 134; --timeout stops a spinning guest in a worker", async () => {
  const spin = modulePath("spin");
  const readModules = `--allow-read=${FIX},${dir}`;
  const [trap, spun, inTime, noWorker] = await Promise.all([
    subprocess([readModules], ["--engine", "v8", `${FIX}trap.wasm`]),
    subprocess([`${readModules},${SRC}`], ["--engine", "v8", "--timeout", "300ms", spin]),
    subprocess([`${readModules},${SRC}`], [
      "--engine",
      "v8",
      "--timeout",
      "20s",
      `${FIX}exit_code.wasm`,
      "9",
    ]),
    subprocess([readModules], ["--engine", "v8", "--timeout", "300ms", spin]),
  ]);
  assert.equal(trap.code, 134);
  assert.equal(trap.stdout, "before trap\n");
  assert.match(trap.stderr, /^Error: [^\n]*divide by zero\n$/);

  assert.deepEqual({ ...spun, ms: 0 }, {
    code: 134,
    stdout: "",
    stderr: "Error: timeout: execution took longer than 300 ms\n",
    ms: 0,
  });
  assert.ok(spun.ms >= 300 && spun.ms < 15_000, `stopped after ${spun.ms} ms`);
  // A guest that ends in time ends as it would without the worker: its output, its exit status.
  assert.deepEqual({ ...inTime, ms: 0 }, { code: 9, stdout: "exiting with 9\n", stderr: "", ms: 0 });
  assert.ok(inTime.ms < 15_000, `took ${inTime.ms} ms`);
  // Without read permission for wasmrun's sources, the worker cannot load: one line saying so.
  assert.deepEqual({ ...noWorker, ms: 0 }, {
    code: 1,
    stdout: "",
    stderr:
      `wasmrun: --timeout with --engine v8 runs the program in a worker, which Deno may not load: add --allow-read=${SRC}\n`,
    ms: 0,
  });
});

Deno.test("--engine v8 --timeout with a caller's in-memory streams is a usage error", async () => {
  const r = await cli(["--engine", "v8", "--timeout", "1s", `${FIX}args_env.wasm`]);
  assert.deepEqual(r, {
    code: 2,
    stdout: "",
    stderr: "wasmrun: --timeout with --engine v8 needs the process's own stdin, stdout and stderr\n",
  });
});
