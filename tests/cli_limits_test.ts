/**
 * The resource-limit and diagnostic flags of `wasmrun exec`: parsing of --fuel, --timeout,
 * --max-memory, --max-stack; that they reach the engine as its options; and what a guest that
 * hits a limit looks like (exit 134 with `Error: …` and a backtrace, or exit 1 for a memory
 * minimum above --max-memory). Behaviour that needs the engine side of the limits runs once
 * mod.ts exports `fuelConsumed` (fuel, timeout, memory cap) and `profileOf` (--profile).
 */
import assert from "node:assert/strict";
import * as wasmrun from "../mod.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import type { EngineLike, EngineLimits } from "../src/cli/engine.ts";
import { engineLimits } from "../src/cli/exec.ts";
import { parseCount, parseDuration, parseMemoryPages } from "../src/cli/limits.ts";
import { formatProfile } from "../src/cli/profile.ts";
import { formatTrap } from "../src/cli/trap.ts";
import { cli, ENGINES, isOneLineError } from "./cli_harness.ts";
import { wat } from "./wat.ts";

const ENGINE_LIMITS = typeof (wasmrun as Record<string, unknown>).fuelConsumed === "function";
const ENGINE_PROFILE = typeof (wasmrun as Record<string, unknown>).profileOf === "function";
const OURS = ENGINES[0][1];

const MODULES: Record<string, string> = {
  spin: `(module (memory (export "memory") 1)
    (func $spin (loop $l (br $l)))
    (func $_start (export "_start") (call $spin)))`,
  recurse: `(module (memory (export "memory") 1)
    (func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))
    (func $_start (export "_start") (call $down (i32.const 0))))`,
  grow: `(module (memory (export "memory") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`,
  bigmem: `(module (memory (export "memory") 100) (func (export "_start")))`,
  fib: `(module (memory (export "memory") 1)
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $twice (export "twice") (param i32) (result i32)
      (i32.add (call $fib (local.get 0)) (call $fib (local.get 0)))))`,
};

let dir: string | undefined;
/** The module `name` written to a temporary file (built from its text on first use). */
function modulePath(name: string): string {
  dir ??= Deno.makeTempDirSync({ prefix: "wasmrun_limits_" });
  const path = `${dir}/${name}.wasm`;
  try {
    Deno.statSync(path);
  } catch {
    Deno.writeFileSync(path, wat(MODULES[name]));
  }
  return path;
}

globalThis.addEventListener("unload", () => {
  if (dir) Deno.removeSync(dir, { recursive: true });
});

Deno.test("limit values: counts, durations and memory sizes", () => {
  assert.equal(parseCount("--fuel", "1000"), 1000);
  assert.equal(parseCount("--fuel", "10_000_000"), 10_000_000);
  for (const bad of ["0", "-5", "1e6", "12abc", "", "99999999999999999999"]) {
    assert.throws(() => parseCount("--fuel", bad), /--fuel .*: expected a positive integer/, bad);
  }
  assert.equal(parseCount("--tier-up", "0", { zero: true }), 0);
  assert.equal(parseCount("--tier-up", "2_000", { zero: true }), 2000);
  for (const bad of ["-1", "1.5", ""]) {
    assert.throws(() => parseCount("--tier-up", bad, { zero: true }), /expected a non-negative integer/, bad);
  }
  assert.equal(parseDuration("--timeout", "500ms"), 500);
  assert.equal(parseDuration("--timeout", "10s"), 10_000);
  assert.equal(parseDuration("--timeout", "1.5s"), 1500);
  assert.equal(parseDuration("--timeout", "2m"), 120_000);
  assert.equal(parseDuration("--timeout", "1h"), 3_600_000);
  for (const bad of ["10", "5x", "0ms", "0.2ms", "-1s", "s", "", "1 s"]) {
    assert.throws(() => parseDuration("--timeout", bad), /such as 500ms, 10s or 2m/, bad);
  }
  assert.equal(parseMemoryPages("--max-memory", "64MiB"), 1024);
  assert.equal(parseMemoryPages("--max-memory", "1GiB"), 16384);
  assert.equal(parseMemoryPages("--max-memory", "1gib"), 16384);
  assert.equal(parseMemoryPages("--max-memory", "640KiB"), 10);
  assert.equal(parseMemoryPages("--max-memory", "65536"), 1);
  assert.equal(parseMemoryPages("--max-memory", "131071"), 1, "rounded down to whole pages");
  assert.equal(parseMemoryPages("--max-memory", "1MB"), 15);
  assert.equal(parseMemoryPages("--max-memory", "16M"), 256);
  assert.equal(parseMemoryPages("--max-memory", "0"), 0);
  assert.equal(parseMemoryPages("--max-memory", "4GiB"), 65536);
  assert.equal(parseMemoryPages("--max-memory", "64GiB"), 65536, "capped");
  for (const bad of ["64XB", "MiB", "-1", "", "1..5MiB", "0x100"]) {
    assert.throws(() => parseMemoryPages("--max-memory", bad), /such as 64MiB or 1GiB/, bad);
  }
});

Deno.test("limit flags become engine options; none given means no options", () => {
  const cmd = parseCommandLine([
    "--fuel=5000",
    "--timeout",
    "250ms",
    "--max-memory",
    "2MiB",
    "--max-stack",
    "300",
    "--profile",
    "--trace",
    "m.wasm",
    "arg",
  ]);
  assert.equal(cmd.command, "exec");
  if (cmd.command !== "exec") return;
  assert.deepEqual(
    { fuel: cmd.fuel, timeoutMs: cmd.timeoutMs, pages: cmd.maxMemoryPages, stack: cmd.maxStack },
    { fuel: 5000, timeoutMs: 250, pages: 32, stack: 300 },
  );
  assert.ok(cmd.trace && cmd.profile);
  assert.deepEqual(cmd.guestArgs, ["arg"]);
  assert.deepEqual(engineLimits(cmd), {
    fuel: 5000,
    timeoutMs: 250,
    maxMemoryPages: 32,
    maxCallDepth: 300,
    profile: true,
  });
  const plain = parseCommandLine(["m.wasm"]);
  if (plain.command === "exec") assert.equal(engineLimits(plain), undefined);
  const eager = parseCommandLine(["--tier-up", "0", "m.wasm"]);
  if (eager.command === "exec") assert.deepEqual(engineLimits(eager), { tierUp: 0 });
});

Deno.test("bad limit values: one line, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--fuel", "lots", "m.wasm"], /--fuel "lots": expected a positive integer$/],
    [["--fuel"], /--fuel needs a value$/],
    [["--timeout", "10", "m.wasm"], /--timeout "10": expected a duration .*such as 500ms, 10s or 2m$/],
    [["--max-memory=1XB", "m.wasm"], /--max-memory "1XB": expected a size .*64MiB or 1GiB$/],
    [["--max-stack", "0", "m.wasm"], /--max-stack "0": expected a positive integer$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.ok(isOneLineError(r), `${args.join(" ")}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trimEnd(), message);
  }
});

Deno.test({
  name: "the engine receives the limits as the options of Instance",
  async fn() {
    const seen: (EngineLimits | undefined)[] = [];
    const recording: EngineLike = {
      Module: OURS.Module,
      Instance: class {
        exports: Record<string, unknown>;
        constructor(
          module: object,
          imports: Record<string, Record<string, unknown>>,
          options?: EngineLimits,
        ) {
          seen.push(options);
          this.exports = new OURS.Instance(module, imports).exports;
        }
      },
    };
    const path = modulePath("fib");
    const r = await cli(
      [
        "--fuel",
        "1_000_000",
        "--timeout",
        "2s",
        "--max-memory",
        "1MiB",
        "--max-stack",
        "64",
        "-c",
        "fib",
        path,
        "10",
      ],
      { engine: recording },
    );
    assert.deepEqual(r, { code: 0, stdout: "55\n", stderr: "" });
    await cli(["-c", "fib", path, "1"], { engine: recording });
    assert.deepEqual(seen, [
      { fuel: 1_000_000, timeoutMs: 2000, maxMemoryPages: 16, maxCallDepth: 64 },
      undefined,
    ]);
  },
});

Deno.test({
  name: "--max-stack: a runaway recursion traps at that depth; the backtrace is shortened",
  async fn() {
    const r = await cli(["--max-stack", "100", modulePath("recurse")]);
    assert.equal(r.code, 134);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines[0], "Error: call stack exhausted");
    assert.equal(lines[1], "wasm backtrace:");
    assert.match(lines[2], /^ {2}0: 0x[0-9a-f]+ - down$/);
    assert.match(r.stderr, /\n {2}\.\.\. \d+ frames not shown \.\.\.\n/);
    const last = lines.at(-1)!;
    assert.match(last, /^ {2}(\d+): 0x[0-9a-f]+ - _start$/);
    const depth = Number(/^ {2}(\d+):/.exec(last)![1]) + 1;
    assert.ok(depth >= 90 && depth <= 101, `depth ${depth} for --max-stack 100`);
    assert.ok(lines.length <= 45, `${lines.length} lines`);
    // A deeper limit lets it go deeper (the engine may keep only the innermost frames of a deep stack).
    const deeper = await cli(["--max-stack", "1000", modulePath("recurse")]);
    const deeperLast = Number(/\n {2}(\d+): [^\n]*\n$/.exec(deeper.stderr)![1]);
    assert.ok(deeperLast > 900, deeper.stderr);
  },
});

Deno.test("trap report: short backtraces in full, long ones cut in the middle", () => {
  const frames = (n: number) => Array.from({ length: n }, (_, i) => ({ index: i, offset: 0x100 + i }));
  const short = formatTrap(Object.assign(new Error("unreachable"), { wasmFrames: frames(3) }));
  assert.equal(
    short,
    "Error: unreachable\nwasm backtrace:\n  0: 0x100 - $0\n  1: 0x101 - $1\n  2: 0x102 - $2\n",
  );
  const long = formatTrap(Object.assign(new Error("x"), { wasmFrames: frames(1000) })).split("\n");
  assert.equal(long[2], "  0: 0x100 - $0");
  assert.equal(long[31], "  29: 0x11d - $29");
  assert.equal(long[32], "  ... 960 frames not shown ...");
  assert.equal(long[33], "  990: 0x4de - $990");
  assert.equal(long.at(-2), "  999: 0x4e7 - $999");
});

Deno.test("profile report: top functions by operations, with shares and the rest summed", () => {
  const entries = Array.from(
    { length: 12 },
    (_, i) => ({ name: i === 3 ? "" : `f${i}`, index: i, ops: i * 10 }),
  );
  const text = formatProfile(entries, 3);
  assert.equal(
    text,
    [
      "profile: 660 operations executed in 11 function(s)",
      "         ops   share  function",
      "         110   16.7%  f11",
      "         100   15.2%  f10",
      "          90   13.6%  f9",
      "         360   54.5%  (8 other functions)",
      "",
    ].join("\n"),
  );
  assert.equal(
    formatProfile([{ name: "a", index: 0, ops: 0 }]),
    "profile: 0 operations executed in 0 function(s)\n",
  );
  assert.match(formatProfile(entries), /\n {10}30 {4}4\.5% {2}\$3\n/);
});

Deno.test({
  name: "--profile on an engine without profiles says so and still runs the program",
  async fn() {
    const r = await cli(["--profile", "-c", "fib", modulePath("fib"), "12"], { engine: ENGINES[1][1] });
    assert.deepEqual(r, {
      code: 0,
      stdout: "144\n",
      stderr: "profile: this engine does not collect a profile\n",
    });
  },
});

Deno.test({
  name: "--profile lists the functions that ran the most operations",
  ignore: !ENGINE_PROFILE,
  async fn() {
    const r = await cli(["--profile", "-c", "twice", modulePath("fib"), "15"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "1220\n");
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0], /^profile: \d+ operations executed in 2 function\(s\)$/);
    assert.match(lines[2], /^ +\d+ +(9\d|100)\.\d% {2}fib$/, "fib does nearly all the work");
    assert.match(lines[3], /^ +\d+ +\d\.\d% {2}twice$/);
  },
});

Deno.test({
  name: "--fuel: a spinning guest stops with 'fuel exhausted' at the same place every time",
  ignore: !ENGINE_LIMITS,
  async fn() {
    const a = await cli(["--fuel", "100000", modulePath("spin")]);
    assert.equal(a.code, 134);
    assert.match(
      a.stderr,
      /^Error: fuel exhausted\nwasm backtrace:\n {2}0: 0x[0-9a-f]+ - spin\n {2}1: 0x[0-9a-f]+ - _start\n$/,
    );
    assert.deepEqual(await cli(["--fuel", "100000", modulePath("spin")]), a);
    // Enough fuel: the program runs to the end.
    assert.deepEqual(await cli(["--fuel", "1000000", "-c", "fib", modulePath("fib"), "10"]), {
      code: 0,
      stdout: "55\n",
      stderr: "",
    });
  },
});

Deno.test({
  name: "--timeout stops `loop br 0` without a worker; exit 134",
  ignore: !ENGINE_LIMITS,
  async fn() {
    const started = performance.now();
    const r = await cli(["--timeout", "200ms", modulePath("spin")]);
    const elapsed = performance.now() - started;
    assert.equal(r.code, 134);
    assert.match(r.stderr, /^Error: [^\n]*timeout[^\n]*\nwasm backtrace:\n {2}0: 0x[0-9a-f]+ - spin\n/);
    assert.ok(elapsed >= 150 && elapsed < 5000, `stopped after ${elapsed} ms`);
  },
});

Deno.test({
  name: "--max-memory: memory.grow past the cap returns -1; a larger minimum is refused (exit 1)",
  ignore: !ENGINE_LIMITS,
  async fn() {
    const grow = modulePath("grow");
    assert.deepEqual(await cli(["--max-memory", "128KiB", "-c", "grow", grow, "1"]), {
      code: 0,
      stdout: "1\n",
      stderr: "",
    });
    assert.equal((await cli(["--max-memory", "128KiB", "-c", "grow", grow, "2"])).stdout, "-1\n");
    assert.equal((await cli(["-c", "grow", grow, "2"])).stdout, "1\n", "no cap: it grows");
    const big = await cli(["--max-memory", "1MiB", modulePath("bigmem")]);
    assert.ok(isOneLineError(big), JSON.stringify(big));
    assert.equal(big.code, 1);
    assert.match(big.stderr, /bigmem\.wasm: cannot instantiate: memory limit:/);
    assert.equal((await cli(["--max-memory", "7MiB", modulePath("bigmem")])).code, 0);
  },
});
