/**
 * Deno's read permission for a preopen revoked while the guest holds it (an embedder calling
 * `Deno.permissions.revokeSync` after setting the guest up): from then on every call that needs
 * the directory's path is EACCES, as the permission gate promises (docs/sandbox.md), on both
 * backends — not ENOENT, which is what the Deno-API backend's re-check of a directory handle's path
 * would say if it looked at the path it may no longer read. Descriptors of files opened before stay
 * usable: reading an open file needs no path. Runs in a subprocess with scoped permissions (this
 * one has -A, and revoking part of a global grant is not what is tested).
 */
import assert from "node:assert/strict";
import { Errno } from "../src/wasi/constants.ts";

const WASI_MOD = new URL("../src/wasi/mod.ts", import.meta.url).href;

/** The child: opens a file, revokes read of the sandbox, and reports the errno of each call. */
const CHILD = `
import { BufferSink, WASI } from ${JSON.stringify(WASI_MOD)};
const [root, backend] = Deno.args;
const wasi = new WASI({ preopens: { "/s": root }, fsBackend: backend, stdin: "", stdout: new BufferSink() });
const memory = new WebAssembly.Memory({ initial: 1 });
wasi.initialize({ exports: { memory } });
const fn = wasi.wasiImport;
const bytes = new Uint8Array(memory.buffer), view = new DataView(memory.buffer);
bytes.set(new TextEncoder().encode("f"), 100); // the path "f" at 100
const BUF = 1024, IOV = 900, OUT = 960;
view.setUint32(IOV, BUF, true);
view.setUint32(IOV + 4, 64, true);
const calls = {
  fd_readdir: () => fn.fd_readdir(3, BUF, 512, 0n, OUT),
  fd_filestat_get: () => fn.fd_filestat_get(3, BUF),
  path_filestat_get: () => fn.path_filestat_get(3, 1, 100, 1, BUF),
  path_open: () => fn.path_open(3, 1, 100, 1, 0, 2n, 2n, 0, OUT),
  fd_sync: () => fn.fd_sync(3),
  fd_write_stdout: () => fn.fd_write(1, IOV, 1, OUT),
};
const run = () => Object.fromEntries(Object.entries(calls).map(([name, call]) => [name, call()]));
if (fn.path_open(3, 1, 100, 1, 0, 2n, 2n, 0, OUT) !== 0) throw new Error("cannot open f");
const file = view.getUint32(OUT, true);
const before = run();
Deno.permissions.revokeSync({ name: "read", path: root });
const after = run();
const read = fn.fd_read(file, IOV, 1, OUT);
const text = new TextDecoder().decode(bytes.subarray(BUF, BUF + view.getUint32(OUT, true)));
console.log(JSON.stringify({ before, after, read, text }));
`;

for (const backend of ["native", "deno"] as const) {
  Deno.test(`a revoked read permission for a preopen is EACCES for each call that needs it [${backend}]`, async () => {
    const top = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_revoke_" }));
    try {
      const root = `${top}/sandbox`;
      Deno.mkdirSync(root);
      Deno.writeTextFileSync(`${root}/f`, "still readable");
      Deno.writeTextFileSync(`${top}/child.ts`, CHILD);
      const permissions = [`--allow-read=${root}`, `--allow-write=${root}`];
      if (backend === "native") permissions.push("--allow-ffi");
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-config", "--no-lock", ...permissions, `${top}/child.ts`, root, backend],
        cwd: top,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err);
      const report = JSON.parse(new TextDecoder().decode(stdout));
      const ok = Object.fromEntries(Object.keys(report.before).map((name) => [name, 0]));
      assert.deepEqual(report.before, ok, "everything works while the permission is there");
      assert.deepEqual(report.after, {
        fd_readdir: Errno.ACCES,
        fd_filestat_get: Errno.ACCES,
        path_filestat_get: Errno.ACCES,
        path_open: Errno.ACCES,
        fd_sync: Errno.ACCES,
        fd_write_stdout: 0, // the program carries on
      });
      assert.equal(report.read, 0);
      assert.equal(report.text, "still readable");
    } finally {
      Deno.removeSync(top, { recursive: true });
    }
  });
}
