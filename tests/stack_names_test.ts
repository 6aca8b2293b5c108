/**
 * Wasm frames in JS stack traces, compared with the built-in engine: a trap's `stack` (synthesized
 * from the engine's backtrace, on both tiers), the frames a JS import sees of the compiled
 * functions that called it, and a CPU profile's (named after their wasm names, with V8's
 * `wasm://wasm/…` URLs). Interpreted functions run inside one JS function: no JS stack or profile
 * can show them (their traps' `stack` does).
 */
import assert from "node:assert/strict";
import { Session } from "node:inspector";
import { WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

type Fn = (...args: unknown[]) => unknown;
type Exports = Record<string, Fn>;
type CallSite = {
  getFunctionName(): string | null;
  getScriptNameOrSourceURL(): string | null;
  toString(): string;
};
const V8 = (globalThis as unknown as { WebAssembly: typeof Ours }).WebAssembly;
const ErrorCtor = Error as unknown as { prepareStackTrace?: (e: Error, sites: CallSite[]) => unknown };

const MODULE = `(module $demo
  (import "env" "log" (func $log))
  (func $leaf (export "leaf") call $log)
  (func $middle call $leaf)
  (func (export "outer") call $middle)
  (func $boom (export "boom") i32.const 1 i32.const 0 i32.div_s drop)
  (func (export "caller") nop nop call $boom)
  (func $deep (export "deep") (param i32)
    (if (i32.eqz (local.get 0)) (then unreachable))
    (call $deep (i32.sub (local.get 0) (i32.const 1)))))`;

/** A wasm frame as [name, function index, offset]: V8's CallSite text names them this way. */
type Frame = [name: string, index: number, offset: string];

const WASM_LOCATION = /\((wasm:\/\/wasm\/[^:]+):wasm-function\[(\d+)\]:(0x[0-9a-f]+)\)$/;

/** The wasm frames of a `stack` string, and the module URL they name. */
function wasmLines(stack: string): { frames: Frame[]; urls: Set<string>; rest: string[] } {
  const lines = stack.split("\n").slice(1);
  const frames: Frame[] = [], urls = new Set<string>(), rest: string[] = [];
  for (const line of lines) {
    const m = WASM_LOCATION.exec(line);
    if (!m) {
      rest.push(line.trim());
      continue;
    }
    frames.push([/^\s+at (.*) \(/.exec(line)![1], Number(m[2]), m[3]]);
    urls.add(m[1]);
  }
  return { frames, urls, rest };
}

/**
 * The built-in engine's wasm frames, read from V8's own CallSites (Deno prints `wasm-function[0]`
 * for every frame; the CallSite's text has the true index). V8 prefixes a named module's name
 * (`demo.boom`): Deno does not, and neither do we.
 */
function builtinFrames(sites: CallSite[]): Frame[] {
  const frames: Frame[] = [];
  for (const site of sites) {
    const m = /wasm-function\[(\d+)\]:(0x[0-9a-f]+)/.exec(site.toString());
    if (m) frames.push([site.getFunctionName() ?? "<anonymous>", Number(m[1]), m[2]]);
  }
  return frames;
}

/** Runs `f` with V8's CallSites as `stack` of the errors formatted meanwhile. */
function withCallSites<T>(f: () => T): T {
  const saved = ErrorCtor.prepareStackTrace;
  ErrorCtor.prepareStackTrace = (_e, sites) => sites;
  try {
    return f();
  } finally {
    ErrorCtor.prepareStackTrace = saved;
  }
}

function trapOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("no trap");
}

const noLog = { env: { log() {} } };
const TIERS = [["interpreter", { jit: false }], ["JS tier", { tierUp: 0 }]] as const;

Deno.test("a trap's stack lists the wasm frames as the built-in engine's does", () => {
  const bytes = wat(MODULE);
  const builtin = new V8.Instance(new V8.Module(bytes), noLog).exports as Exports;
  const sites = withCallSites(() => trapOf(() => builtin.caller()).stack as unknown as CallSite[]);
  const expected = builtinFrames(sites);
  assert.deepEqual(expected.map((f) => f[0]), ["boom", "<anonymous>"]);
  for (const [tier, options] of TIERS) {
    const ours = new Ours.Instance(new Ours.Module(bytes), noLog, options).exports as Exports;
    for (let run = 0; run < 2; run++) { // the first call of compiled code goes through extra engine frames
      const err = trapOf(() => ours.caller());
      assert.match(err.stack!, /^RuntimeError: integer divide by zero\n/, tier);
      const { frames, urls, rest } = wasmLines(err.stack!);
      assert.deepEqual(frames, expected, tier);
      assert.equal(urls.size, 1, tier);
      assert.match([...urls][0], /^wasm:\/\/wasm\/demo-[0-9a-f]{8}$/, tier);
      // Then the JS that called in: this file, none of the engine's own frames.
      assert.match(rest[0], /^at .*stack_names_test\.ts:\d+:\d+\)?$/, `${tier}: ${err.stack}`);
      assert.ok(!err.stack!.includes("/src/"), `${tier}: ${err.stack}`);
    }
  }
});

Deno.test("a trap's stack keeps Error.stackTraceLimit frames, as V8 does", () => {
  const bytes = wat(MODULE);
  const builtin = new V8.Instance(new V8.Module(bytes), noLog).exports as Exports;
  const v8 = trapOf(() => builtin.deep(50)).stack!.split("\n");
  for (const [tier, options] of TIERS) {
    const ours = new Ours.Instance(new Ours.Module(bytes), noLog, options).exports as Exports;
    const lines = trapOf(() => ours.deep(50)).stack!.split("\n");
    assert.equal(lines.length, v8.length, tier);
    assert.equal(lines.length, 1 + Error.stackTraceLimit, tier);
    assert.deepEqual(wasmLines(lines.join("\n")).frames.map((f) => f[0]), Array(10).fill("deep"), tier);
  }
});

Deno.test("compiled functions appear in a JS import's stack under their wasm names and URLs", () => {
  const bytes = wat(MODULE);
  const seen: { name: string; url: string }[][] = [];
  const log = () => {
    // Our engine's own frames (the host call, a first call's way in) count against the limit too.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const sites = withCallSites(() => new Error().stack as unknown as CallSite[]);
    Error.stackTraceLimit = limit;
    seen.push(
      sites.filter((s) => (s.getScriptNameOrSourceURL() ?? "").startsWith("wasm://"))
        .map((s) => ({ name: s.getFunctionName() ?? "<anonymous>", url: s.getScriptNameOrSourceURL()! })),
    );
  };
  const builtin = new V8.Instance(new V8.Module(bytes), { env: { log } }).exports as Exports;
  builtin.outer();
  const expected = seen.pop()!.map((s) => s.name);
  assert.deepEqual(expected, ["leaf", "middle", "<anonymous>"]);
  const ours = new Ours.Instance(new Ours.Module(bytes), { env: { log } }, { tierUp: 0 }).exports as Exports;
  ours.outer(), ours.outer();
  for (const frames of seen) {
    assert.deepEqual(frames.map((s) => s.name), expected);
    // V8 puts a function at `<module url>:wasm-function[N]`; so does the URL of its generated code.
    assert.deepEqual(
      frames.map((s) => s.url.replace(/-[0-9a-f]{8}:/, "-HASH:")),
      [1, 2, 3].map((n) => `wasm://wasm/demo-HASH:wasm-function[${n}]`),
    );
  }
});

Deno.test("a program's own Error.prepareStackTrace, and a stack set by hand, are left alone", () => {
  const ours = new Ours.Instance(new Ours.Module(wat(MODULE)), noLog, { jit: false }).exports as Exports;
  const sites = withCallSites(() => trapOf(() => ours.caller()).stack as unknown as CallSite[]);
  assert.ok(Array.isArray(sites), "prepareStackTrace's value is the stack");
  const err = trapOf(() => ours.caller());
  err.stack = "mine";
  assert.equal(err.stack, "mine");
});

Deno.test("a module name that is not URL-safe cannot break the generated code's sourceURL comment", () => {
  // The name section's module name, "a\nb();//", is the module author's text.
  const named = wat(`(module (func (export "f") (result i32) i32.const 7))`);
  const subsection = [0, 8, 7, ...new TextEncoder().encode("a\nb();/")];
  const custom = [0, 5 + subsection.length, 4, ...new TextEncoder().encode("name"), ...subsection];
  const bytes = new Uint8Array([...named, ...custom]);
  const ours = new Ours.Instance(new Ours.Module(bytes), {}, { tierUp: 0 }).exports as Exports;
  assert.equal(ours.f(), 7);
  const bad = wat(`(module (func (export "f") unreachable))`);
  const trapping = new Uint8Array([...bad, ...custom]);
  const err = trapOf(() => (new Ours.Instance(new Ours.Module(trapping), {}).exports as Exports).f());
  assert.match(err.stack!, /\(wasm:\/\/wasm\/a%0Ab\(\)%3B%2F-[0-9a-f]{8}:wasm-function\[0\]:0x[0-9a-f]+\)/);
});

Deno.test("a CPU profile shows compiled functions under their wasm names and URLs", async () => {
  const bytes = wat(`(module $bench (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`);
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) =>
      session.post(
        method,
        params,
        (err, result) => err ? reject(err) : resolve(result as Record<string, unknown>),
      )
    );
  type CallFrame = { functionName: string; url: string; lineNumber: number };
  try {
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 100 });
    await post("Profiler.start");
    const fib = new Ours.Instance(new Ours.Module(bytes), {}, { tierUp: 0 }).exports.fib as Fn;
    assert.equal(fib(27), 196418);
    const { profile } = await post("Profiler.stop") as { profile: { nodes: { callFrame: CallFrame }[] } };
    // Line 0 of the source is the function that binds the code to an instance (once per instance).
    const wasm = profile.nodes.map((n) => n.callFrame).filter((f) =>
      f.url.startsWith("wasm://") && f.lineNumber > 0
    );
    assert.ok(wasm.length > 0, "no wasm frame sampled");
    for (const f of wasm) {
      assert.equal(f.functionName, "fib", JSON.stringify(f));
      assert.match(f.url, /^wasm:\/\/wasm\/bench-[0-9a-f]{8}:wasm-function\[0\]$/);
    }
  } finally {
    session.disconnect();
  }
});

Deno.test("any wasm name becomes a valid compiled function, shown exactly in JS stacks", () => {
  // The name section's text: reserved words, names of what the generated code refers to (which a
  // binding of the name would hide), `__proto__`, C++ punctuation, quotes and line breaks.
  const names = [
    "eval",
    "if",
    "undefined",
    "F",
    "K",
    "self",
    "$wE",
    "$wM",
    "Math",
    "__proto__",
    "0x",
    "std::vector<int>::push_back",
    'a"b\\c',
    "line\nbreak",
  ];
  const funcs = names.map((n, i) =>
    `(func $"${
      n.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")
    }" (export "f${i}") ` +
    (i === 0 ? "call $log)" : `call ${i})`) // index i: f(i - 1), after the import
  ).join("\n");
  const bytes = wat(`(module (import "env" "log" (func $log)) ${funcs})`);
  let seen: string[] = [];
  const log = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const sites = withCallSites(() => new Error().stack as unknown as CallSite[]);
    Error.stackTraceLimit = limit;
    seen = sites.filter((s) => (s.getScriptNameOrSourceURL() ?? "").startsWith("wasm://"))
      .map((s) => s.getFunctionName() ?? "");
  };
  const ours = new Ours.Instance(new Ours.Module(bytes), { env: { log } }, { tierUp: 0 }).exports as Exports;
  ours[`f${names.length - 1}`](), ours[`f${names.length - 1}`]();
  assert.deepEqual(seen, names);
});
