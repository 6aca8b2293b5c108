/**
 * The `WASI` class itself: the node:wasi shape (start/initialize rules, returnOnExit, import
 * object), option checking, in-memory stdio, memory growth, and the wasi_unstable namespace's own
 * layouts (filestat, whence, subscriptions) called directly.
 */
import assert from "node:assert/strict";
import { BufferSink, PREVIEW1_FUNCTIONS, UNSTABLE_FUNCTIONS, WASI } from "../src/wasi/mod.ts";
import { Errno, Harness, RW, SANDBOX_FD } from "./wasi_harness.ts";
import { WASI as EngineWASI, WasiHost, WebAssembly as Ours } from "../mod.ts";
import { wat } from "./wat.ts";

const memory = () => new WebAssembly.Memory({ initial: 1 });

Deno.test("getImportObject: the namespace of `version` as node:wasi gives it, both without one", async () => {
  const wasi = new WASI();
  const imports = wasi.getImportObject();
  assert.deepEqual(Object.keys(imports.wasi_snapshot_preview1).sort(), [...PREVIEW1_FUNCTIONS].sort());
  assert.equal(PREVIEW1_FUNCTIONS.length, 46);
  assert.deepEqual(Object.keys(imports.wasi_unstable).sort(), [...UNSTABLE_FUNCTIONS].sort());
  assert.equal(UNSTABLE_FUNCTIONS.length, 45);
  assert.equal(wasi.wasiImport, imports.wasi_snapshot_preview1);
  const { WASI: NodeWASI } = await import("node:wasi");
  for (const version of ["preview1", "unstable"] as const) {
    const ours = new WASI({ version });
    const node = new NodeWASI({ version });
    assert.deepEqual(Object.keys(ours.getImportObject()), Object.keys(node.getImportObject()), version);
    assert.equal(Object.values(ours.getImportObject())[0], ours.wasiImport);
  }
  assert.deepEqual(Object.keys(new WASI({ version: "unstable" }).getImportObject()), ["wasi_unstable"]);
});

Deno.test("finalizeBindings binds a memory (given, or exported) without running anything, as node:wasi", async () => {
  const { WASI: NodeWASI } = await import("node:wasi");
  const imported = wat(`(module (import "env" "memory" (memory 1))
    (func (export "run") (result i32) (i32.const 1)))`);
  const exported = wat(`(module (memory (export "memory") 1) (func (export "_start")))`);
  const codeOf = (f: () => unknown) => {
    try {
      f();
      return "ok";
    } catch (e) {
      return `${(e as Error).name} ${(e as { code?: string }).code}`;
    }
  };
  const outcomes = (
    make: () => { finalizeBindings(i: unknown, o?: unknown): void; start(i: unknown): unknown },
  ) => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const a = new WebAssembly.Instance(new WebAssembly.Module(imported), { env: { memory } });
    const b = new WebAssembly.Instance(new WebAssembly.Module(exported), {});
    const w1 = make(), w2 = make(), w3 = make(), w4 = make();
    return [
      codeOf(() => w1.finalizeBindings(a)), // no memory export, none given
      codeOf(() => w1.finalizeBindings(a, { memory })),
      codeOf(() => w1.finalizeBindings(a, { memory })), // twice: Deno's binds again
      codeOf(() => w2.finalizeBindings(b)),
      codeOf(() => w2.start(b)), // finalized: cannot start
      codeOf(() => w3.finalizeBindings(null)),
      codeOf(() => w4.finalizeBindings(a, { memory: {} })),
    ];
  };
  const node = outcomes(() => new NodeWASI({ version: "preview1" }) as never);
  assert.deepEqual(outcomes(() => new WASI({ version: "preview1" }) as never), node);
  assert.deepEqual(node, [
    "TypeError ERR_INVALID_ARG_TYPE",
    "ok",
    "ok",
    "ok",
    "Error ERR_WASI_ALREADY_STARTED",
    "TypeError ERR_INVALID_ARG_TYPE",
    "TypeError ERR_INVALID_ARG_TYPE",
  ]);
  // The bound memory is the one the host functions use.
  const memory = new WebAssembly.Memory({ initial: 1 });
  const wasi = new WASI({ args: ["abc"] });
  wasi.finalizeBindings({ exports: {} }, { memory });
  assert.equal(wasi.wasiImport.args_sizes_get(0, 4), 0);
  assert.deepEqual([...new Uint32Array(memory.buffer, 0, 2)], [1, 4]);
});

Deno.test("start(): needs memory and _start, refuses _initialize, returns 0 or the exit code, only once", () => {
  const mem = memory();
  assert.throws(() => new WASI().start({ exports: { _start() {} } }), /memory/);
  assert.throws(() => new WASI().start({ exports: { memory: mem } }), /_start/);
  assert.throws(
    () => new WASI().start({ exports: { memory: mem, _start() {}, _initialize() {} } }),
    /_initialize/,
  );
  const wasi = new WASI();
  assert.equal(wasi.start({ exports: { memory: mem, _start() {} } }), 0);
  assert.throws(() => wasi.start({ exports: { memory: mem, _start() {} } }), /already/);
  const exiting = new WASI();
  const code = exiting.start({
    exports: { memory: mem, _start: () => exiting.wasiImport.proc_exit(17) },
  });
  assert.equal(code, 17);
  // Errors that are not exits propagate.
  assert.throws(() =>
    new WASI().start({
      exports: {
        memory: mem,
        _start: () => {
          throw new RangeError("x");
        },
      },
    }), RangeError);
});

Deno.test("initialize(): calls _initialize when present, refuses _start", () => {
  let calls = 0;
  new WASI().initialize({ exports: { memory: memory(), _initialize: () => calls++ } });
  assert.equal(calls, 1);
  new WASI().initialize({ exports: { memory: memory() } }); // no _initialize: fine
  assert.throws(() => new WASI().initialize({ exports: { memory: memory(), _start() {} } }), /_start/);
});

Deno.test("returnOnExit: false exits the process with the code", async () => {
  const script = `
    import { WASI } from "${new URL("../src/wasi/mod.ts", import.meta.url).href}";
    const wasi = new WASI({ returnOnExit: false });
    wasi.start({ exports: { memory: new WebAssembly.Memory({ initial: 1 }), _start: () => wasi.wasiImport.proc_exit(23) } });
    console.log("not reached");`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "piped" }).output();
  assert.equal(out.code, 23);
  assert.equal(new TextDecoder().decode(out.stdout), "");
});

Deno.test("constructor checks its options", () => {
  assert.throws(() => new WASI({ env: { "A=B": "c" } }), /must not contain "="/);
  assert.throws(() => new WASI({ args: ["a\0b"] }), /NUL/);
  assert.throws(
    () => new WASI({ stdout: 1_000_000 }),
    /stdout: host fd 1000000 is not an open file descriptor/,
  );
  assert.throws(
    () => new WASI({ stdin: -1 }),
    (e: Error) => e instanceof RangeError && /stdin/.test(e.message),
  );
  assert.throws(() => new WASI({ stderr: 1.5 }), { code: "ERR_OUT_OF_RANGE" });
  assert.throws(() => new WASI({ version: "2" as never }), {
    name: "TypeError",
    code: "ERR_INVALID_ARG_VALUE",
  });
  assert.throws(() => new WASI({ preopens: { "/x": "/definitely/not/here" } }), /cannot preopen/);
  const file = Deno.makeTempFileSync();
  try {
    assert.throws(() => new WASI({ preopens: { "/x": file } }), /not a directory/);
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test("a WASI call before start()/initialize() is an error, not a silent success", () => {
  const wasi = new WASI();
  assert.throws(() => wasi.wasiImport.args_sizes_get(0, 4), /before WASI.start/);
});

Deno.test("stdio as a custom source and sinks; a host write error is an errno", () => {
  const chunks = ["ab", "cd"];
  const out = new BufferSink();
  const failing = {
    writeSync(): number {
      throw new Deno.errors.BrokenPipe("closed");
    },
  };
  using h = new Harness({
    stdin: {
      readSync: (p: Uint8Array) => {
        const c = chunks.shift();
        if (!c) return null;
        p.set(new TextEncoder().encode(c));
        return c.length;
      },
    },
    stdout: out,
    stderr: failing,
  });
  assert.deepEqual(h.read(0, 10), [0, "ab"]); // one read per call, like a pipe
  assert.deepEqual(h.read(0, 10), [0, "cd"]);
  assert.deepEqual(h.read(0, 10), [0, ""]);
  h.write(1, "x");
  assert.equal(out.text(), "x");
  assert.equal(h.write(2, "y")[0], Errno.PIPE);
});

Deno.test("memory.grow between calls: the host sees the new buffer", () => {
  using h = new Harness();
  h.memory.grow(1);
  const p = 65536 + 100;
  h.bytes.set(new TextEncoder().encode("grown"), p);
  const iov = h.alloc(8), n = h.alloc(4);
  h.view.setUint32(iov, p, true);
  h.view.setUint32(iov + 4, 5, true);
  assert.equal(h.fn.fd_write(1, iov, 1, n), 0);
  assert.equal(h.stdout.text(), "grown");
});

Deno.test("path_open with APPEND: every write goes to the end", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("log"), "start\n");
  const fd = h.mustOpen("log", { rights: RW, fdflags: 1 });
  const pos = h.alloc(8);
  h.fn.fd_seek(fd, 0n, 0, pos);
  h.write(fd, "one\n");
  h.write(fd, "two\n");
  assert.equal(Deno.readTextFileSync(h.host("log")), "start\none\ntwo\n");
});

Deno.test("wasi_unstable: 56-byte filestat with a u32 nlink, whence CUR=0 END=1 SET=2", () => {
  using h = new Harness();
  const u = h.wasi.getImportObject().wasi_unstable;
  Deno.writeTextFileSync(h.host("f"), "0123456789");
  const fd = h.mustOpen("f", { rights: RW });
  const st = h.alloc(64);
  h.bytes.fill(0xee, st, st + 64);
  assert.equal(u.fd_filestat_get(fd, st), 0);
  assert.equal(h.u8(st + 16), 4); // regular file
  assert.equal(h.u32(st + 20), 1); // nlink: u32 at 20
  assert.equal(h.u64(st + 24), 10n); // size at 24 (preview1: 32)
  // Deno reports milliseconds; the native backend gives the nanoseconds too.
  assert.equal(h.u64(st + 40) / 1_000_000n, BigInt(Deno.statSync(h.host("f")).mtime!.getTime()));
  assert.equal(h.u8(st + 56), 0xee, "nothing written past 56 bytes");
  const [p, n] = h.str("f");
  assert.equal(u.path_filestat_get(SANDBOX_FD, 1, p, n, st), 0);
  assert.equal(h.u64(st + 24), 10n);
  const out = h.alloc(8);
  assert.equal(u.fd_seek(fd, 7n, 2, out), 0); // SET
  assert.equal(h.u64(out), 7n);
  assert.equal(u.fd_seek(fd, -2n, 0, out), 0); // CUR
  assert.equal(h.u64(out), 5n);
  assert.equal(u.fd_seek(fd, -1n, 1, out), 0); // END
  assert.equal(h.u64(out), 9n);
  assert.equal(u.fd_seek(fd, 0n, 3, out), Errno.INVAL);
});

Deno.test("wasi_unstable: 56-byte clock subscriptions (with their identifier field)", () => {
  using h = new Harness();
  const u = h.wasi.getImportObject().wasi_unstable;
  const sub = h.alloc(56 * 2), ev = h.alloc(64), n = h.alloc(4);
  for (const [i, ms] of [[0, 2000n], [1, 10n]] as const) {
    const at = sub + i * 56;
    h.view.setBigUint64(at, BigInt(i + 1), true); // userdata
    h.view.setUint8(at + 8, 0); // clock
    h.view.setBigUint64(at + 16, 999n, true); // identifier (unstable only)
    h.view.setUint32(at + 24, 1, true); // monotonic
    h.view.setBigUint64(at + 32, ms * 1_000_000n, true);
  }
  const t0 = performance.now();
  assert.equal(u.poll_oneoff(sub, ev, 2, n), 0);
  const took = performance.now() - t0;
  assert.ok(took >= 9 && took < 1500, `slept ${took} ms for the 10 ms timer`);
  assert.equal(h.u32(n), 1);
  assert.equal(h.u64(ev), 2n);
});

Deno.test("native backend: the descriptors of a WASI host dropped without close() are closed after GC", async () => {
  // In a subprocess with gc() exposed: count this process's open fds around 200 dropped hosts.
  const dir = Deno.makeTempDirSync({ prefix: "wasi_gc_" });
  const script = `
    import { WASI } from ${JSON.stringify(new URL("../src/wasi/mod.ts", import.meta.url).href)};
    const count = () => [...Deno.readDirSync("/proc/self/fd")].length;
    const before = count();
    for (let i = 0; i < 200; i++) {
      const w = new WASI({ preopens: { "/a": ${JSON.stringify(dir)}, "/b": ${
    JSON.stringify(dir)
  } }, fsBackend: "native" });
      if (w.fsBackend !== "native") throw new Error("not native");
    }
    const held = count() - before;
    for (let i = 0; i < 10; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
    console.log(held, count() - before);`;
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--v8-flags=--expose-gc", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const [held, after] = text.split(" ").map(Number);
    assert.ok(held >= 400, `held ${held} fds for 200 hosts`);
    assert.ok(after < 20, `${after} fds still open after GC`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("fsBackend: auto is native with FFI permission and deno without; native without FFI is a clear error", async () => {
  assert.equal(new WASI().fsBackend, "native"); // this test process runs with -A
  assert.equal(new WASI({ fsBackend: "deno" }).fsBackend, "deno");
  assert.equal(new WASI({ fsBackend: "native" }).fsBackend, "native");
  // Without --allow-ffi, in a process of its own.
  const dir = Deno.makeTempDirSync({ prefix: "wasi_backend_" });
  try {
    const script = `${dir}/probe.ts`;
    Deno.writeTextFileSync(
      script,
      `import { WASI } from ${JSON.stringify(new URL("../src/wasi/mod.ts", import.meta.url).href)};
      const out: string[] = [];
      for (const fsBackend of [undefined, "auto", "deno", "native"] as const) {
        try {
          out.push(new WASI({ fsBackend }).fsBackend);
        } catch (err) {
          out.push("error: " + (err as Error).message);
        }
      }
      console.log(JSON.stringify(out));`,
    );
    const root = new URL("..", import.meta.url).pathname;
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-lock", `--allow-read=${root},${dir}`, script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(r.stderr).replace(/^.*Check.*\n/gm, ""), "");
    assert.deepEqual(JSON.parse(new TextDecoder().decode(r.stdout)), [
      "deno",
      "deno",
      "deno",
      "error: the native file system backend cannot be used: Deno's FFI is not permitted (add --allow-ffi or -A to deno's flags)",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "mod.ts's WASI ends a guest's sleep at the running call's timeout; WasiHost, engine-free, knows no deadline",
  fn() {
    // poll_oneoff on one relative clock subscription of 20 s (userdata 0, tag 0 = clock, monotonic).
    const bytes = wat(`(module
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "\\00\\00\\00\\00\\00\\00\\00\\00" "\\00\\00\\00\\00\\00\\00\\00\\00"
        "\\01\\00\\00\\00\\00\\00\\00\\00" "\\00\\c8\\17\\a8\\04\\00\\00\\00" "\\00\\00\\00\\00\\00\\00\\00\\00" "\\00\\00\\00\\00\\00\\00\\00\\00")
      (func (export "_start") (drop (call $poll (i32.const 16) (i32.const 128) (i32.const 1) (i32.const 200)))))`);
    const wasi = new EngineWASI({ returnOnExit: true });
    const instance = new Ours.Instance(new Ours.Module(bytes), wasi.getImportObject(), { timeoutMs: 300 });
    const started = performance.now();
    assert.throws(() => wasi.start(instance), /timeout/);
    const took = performance.now() - started;
    assert.ok(took < 5000, `slept ${took.toFixed(0)} ms past a 300 ms timeout`);
    assert.ok(took >= 250, `woke after ${took.toFixed(0)} ms, before the timeout`);
    // The engine-free host: its deadline is the one it is given, else none.
    assert.ok(new WasiHost() instanceof WASI && !(new WasiHost() instanceof EngineWASI));
  },
});

Deno.test("args and env values are coerced with String(), as node:wasi does", () => {
  const bytes = Deno.readFileSync(new URL("./fixtures/wasi/args_env.wasm", import.meta.url));
  const stdout = new BufferSink();
  const wasi = new EngineWASI({
    args: [1, 2.5, true] as unknown as string[],
    env: { N: 7 as unknown as string },
    stdout,
  });
  const instance = new Ours.Instance(new Ours.Module(bytes), wasi.getImportObject() as never);
  assert.equal(wasi.start(instance as never), 0);
  assert.equal(
    new TextDecoder().decode(stdout.bytes()),
    "argc=3\nargv[0]=1 (1 bytes)\nargv[1]=2.5 (3 bytes)\nargv[2]=true (4 bytes)\nenvc=1\nenv N=7 (3 bytes)\n",
  );
});

Deno.test("errors carry node:wasi's codes: started twice, options of the wrong type", async () => {
  const { WASI: NodeWASI } = await import("node:wasi");
  const bytes = wat(`(module (memory (export "memory") 1) (func (export "_start")))`);
  const codeOf = (f: () => unknown) => {
    try {
      f();
      return "no error";
    } catch (e) {
      return `${(e as Error).constructor.name === "TypeError" ? "TypeError " : ""}${
        (e as { code?: string }).code
      }`;
    }
  };
  const outcomes = (make: (o: object) => { start(i: unknown): unknown }) => {
    const wasi = make({ version: "preview1" });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    wasi.start(instance);
    return [
      codeOf(() => wasi.start(instance)),
      codeOf(() => make({ version: "preview1", args: "x" })),
      codeOf(() => make({ version: "preview1", env: 5 })),
      codeOf(() => make({ version: "preview1", preopens: 5 })),
    ];
  };
  const node = outcomes((o) => new NodeWASI(o as never) as never);
  assert.deepEqual(outcomes((o) => new EngineWASI(o as never) as never), node);
  assert.deepEqual(node.slice(1), Array(3).fill("TypeError ERR_INVALID_ARG_TYPE"));
});
