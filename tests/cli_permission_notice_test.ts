/**
 * Permission refusals explained on the host side: the guest still gets EACCES and goes on, the
 * command line says once per path and access what Deno refused and which flag would allow it, and
 * `--trace` marks those errnos as the permission gate's. The `WASI` class reports every refusal to
 * `onPermissionDenied` (and says nothing without it), whoever refused: its gate, or Deno itself when
 * the gate was switched off.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { wat } from "./wat.ts";
import { Errno, Harness, SANDBOX_FD, testBoth } from "./wasi_harness.ts";
import type { PermissionGate, PermissionRefusal } from "../src/wasi/mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;

interface Proc {
  code: number;
  stdout: string;
  stderr: string;
}

async function deno(args: string[]): Promise<Proc> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Tries to create directory "newdir" three times and a file "f" twice, then exits with the errnos. */
const RETRY = wat(`(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "newdir")
  (data (i32.const 32) "f")
  (func (export "_start") (local $sum i32)
    (local.set $sum (call $mkdir (i32.const 3) (i32.const 16) (i32.const 6)))
    (local.set $sum (i32.add (local.get $sum) (call $mkdir (i32.const 3) (i32.const 16) (i32.const 6))))
    (local.set $sum (i32.add (local.get $sum) (call $mkdir (i32.const 3) (i32.const 16) (i32.const 6))))
    ;; O_CREAT, rights FD_WRITE
    (local.set $sum (i32.add (local.get $sum)
      (call $open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 1)
        (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 64))))
    (local.set $sum (i32.add (local.get $sum)
      (call $open (i32.const 3) (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 1)
        (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 64))))
    (call $exit (local.get $sum))))`);

Deno.test("wasmrun: a refused path is EACCES to the program and one notice on stderr, marked in --trace", async () => {
  const base = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasmrun_notice_" }));
  const sandbox = `${base}/sandbox`;
  Deno.mkdirSync(sandbox);
  const module = `${base}/retry.wasm`;
  Deno.writeFileSync(module, RETRY);
  try {
    const flags = [`--allow-read=${base}`, CLI, "--no-cache"];
    const [plain, traced] = await Promise.all([
      deno([...flags, "--dir", `${sandbox}::/`, module]),
      deno([...flags, "--trace=fs", "--dir", `${sandbox}::/`, module]),
    ]);
    // Five refused calls, each EACCES (2): the program went on to the end.
    assert.equal(plain.code, 5 * Errno.ACCES, plain.stderr);
    assert.equal(plain.stdout, "");
    const notices = [
      `wasmrun: Deno refused write access to ${sandbox}/newdir (the program got EACCES); ` +
      `add --allow-write=${sandbox}/newdir`,
      `wasmrun: Deno refused write access to ${sandbox}/f (the program got EACCES); ` +
      `add --allow-write=${sandbox}/f`,
    ];
    assert.equal(plain.stderr, notices.join("\n") + "\n");
    assert.deepEqual([...Deno.readDirSync(sandbox)], [], "nothing was created");

    assert.equal(traced.code, 5 * Errno.ACCES, traced.stderr);
    const results = traced.stderr.split("\n").filter((l) => l.startsWith("<== "));
    assert.deepEqual(results, [
      ...Array(3).fill(`<== errno=ACCES (Deno permission: write ${sandbox}/newdir)`),
      ...Array(2).fill(`<== errno=ACCES (Deno permission: write ${sandbox}/f)`),
    ]);
    assert.deepEqual(traced.stderr.split("\n").filter((l) => l.startsWith("wasmrun: ")), notices);
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});

/** A gate that refuses writes to anything named "locked…" and reads of anything named "hidden…". */
const gate: PermissionGate = {
  read: (path) => !path.split("/").pop()!.startsWith("hidden"),
  write: (path) => !path.split("/").pop()!.startsWith("locked"),
  symlink: () => false,
};

testBoth("WASI: every refusal of a custom gate goes to onPermissionDenied, with its call", () => {
  const seen: PermissionRefusal[] = [];
  using h = new Harness({ permissions: gate, onPermissionDenied: (r) => seen.push(r) });
  Deno.writeTextFileSync(h.host("hidden.txt"), "x");
  assert.equal(h.pathCall("path_create_directory", "locked"), Errno.ACCES);
  assert.equal(h.pathCall("path_create_directory", "locked"), Errno.ACCES);
  assert.equal(h.pathCall("path_create_directory", "open"), Errno.SUCCESS);
  assert.equal(h.stat("hidden.txt")[0], Errno.ACCES);
  const [p, n] = h.str("open/open");
  const [t, tn] = h.str("..");
  assert.equal(h.fn.path_symlink(t, tn, SANDBOX_FD, p, n), Errno.ACCES);
  const host = (rel: string) => Deno.realPathSync(h.root) + "/" + rel;
  assert.deepEqual(seen, [
    { access: "write", path: host("locked"), call: "path_create_directory", by: "gate" },
    { access: "write", path: host("locked"), call: "path_create_directory", by: "gate" },
    { access: "read", path: host("hidden.txt"), call: "path_filestat_get", by: "gate" },
    { access: "symlink", path: host("open/open"), call: "path_symlink", by: "gate" },
  ]);
});

testBoth("WASI: without onPermissionDenied a refusal is only the errno; trace says whose it is", () => {
  const lines: string[] = [];
  using h = new Harness({ permissions: gate, trace: (l) => lines.push(l) });
  assert.equal(h.pathCall("path_create_directory", "locked"), Errno.ACCES);
  assert.equal(h.pathCall("path_create_directory", "other"), Errno.SUCCESS);
  const results = lines.filter((l) => l.startsWith("<== "));
  assert.deepEqual(results, [
    `<== errno=ACCES (permission gate: write ${Deno.realPathSync(h.root)}/locked)`,
    "<== errno=SUCCESS",
  ]);
});

Deno.test("WASI: with the gate off, Deno's own refusal (NotCapable) is reported too, by 'deno'", async () => {
  const base = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_notcapable_" }));
  const script = `${base}/child.ts`;
  Deno.writeTextFileSync(
    script,
    `import { WASI } from ${JSON.stringify(`${ROOT}src/wasi/mod.ts`)};
const seen = [];
const wasi = new WASI({ preopens: { "/": ${JSON.stringify(base)} }, permissions: "none", fsBackend: "deno",
  onPermissionDenied: (r) => seen.push(r) });
const memory = new WebAssembly.Memory({ initial: 1 });
wasi.finalizeBindings({ exports: { memory } });
new Uint8Array(memory.buffer).set(new TextEncoder().encode("newdir"), 16);
const errno = wasi.wasiImport.path_create_directory(3, 16, 6);
console.log(JSON.stringify({ errno, seen }));
`,
  );
  try {
    // Reads everywhere (the deno backend checks every parent directory), writes nowhere.
    const r = await deno(["--allow-read", script]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      errno: Errno.ACCES,
      seen: [{ access: "write", path: `${base}/newdir`, call: "path_create_directory", by: "deno" }],
    });
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});
