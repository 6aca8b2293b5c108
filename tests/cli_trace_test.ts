/**
 * `--trace` against golden files: tests/fixtures/trace/<case>.txt is the stderr of a real run on
 * wasmrun's engine, committed; each test runs the case again and compares. The WASI layer is
 * the same for every engine, so on V8 the trace lines (not the trap report) must match as well.
 * After changing the tracer or a fixture, refresh the files with
 * `UPDATE_GOLDEN=1 deno test -A tests/cli_trace_test.ts` and review the diff.
 */
import assert from "node:assert/strict";
import { cli, ENGINES, FIX } from "./cli_harness.ts";
import { GuestMemory } from "../src/wasi/memory.ts";
import { traced } from "../src/wasi/trace.ts";

const TRACE = new URL("./fixtures/trace/", import.meta.url).pathname;
const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";

interface Case {
  name: string;
  args: (sandbox: string) => string[];
  stdin?: string;
  code: number;
  /** Lines the golden file must contain, so that an empty or truncated golden cannot pass. */
  mustContain: string[];
}

const CASES: Case[] = [
  {
    name: "files",
    args: (sandbox) => [
      "--trace",
      "--argv0",
      "files",
      "--env",
      "WHO=you",
      "--dir",
      `${sandbox}::/sandbox`,
      `${TRACE}files.wasm`,
    ],
    code: 3,
    mustContain: [
      '<== errno=SUCCESS path="/sandbox"',
      '==> path_rename(fd=3, old_path="note.txt", new_fd=3, new_path="sub/note.txt")',
      '==> path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="note.txt", oflags=CREAT|TRUNC, fs_rights_base=ALL, ' +
      "fs_rights_inheriting=ALL, fdflags=0, opened_fd=0x113c4)",
      "<== errno=SUCCESS buf={filetype=REGULAR_FILE size=21}",
      "<== errno=NOENT",
      "==> fd_close(fd=99)",
      "==> proc_exit(rval=3)",
    ],
  },
  {
    name: "stdio",
    args: () => ["--trace", `${FIX}stdio.wasm`],
    stdin: "hello\n",
    code: 0,
    mustContain: ["<== errno=SUCCESS nread=6", "bytes=6 isatty=000"],
  },
  {
    name: "unstable",
    args: (sandbox) => ["--trace", "--dir", `${sandbox}::/`, `${FIX}unstable_hello.wasm`],
    code: 68,
    mustContain: ["==> fd_seek(fd=4, offset=3, whence=SET, newoffset=0xd0)", "<== errno=SUCCESS newoffset=3"],
  },
  {
    name: "trap",
    args: () => ["--trace", `${FIX}trap.wasm`],
    code: 134,
    mustContain: ["<== errno=SUCCESS nwritten=12", "Error: integer divide by zero"],
  },
];

const traceLines = (text: string) => text.split("\n").filter((l) => /^(==>|<==) /.test(l));

for (const [engineName, engine] of ENGINES) {
  for (const c of CASES) {
    Deno.test(`[${engineName}] --trace golden: ${c.name}`, async () => {
      const sandbox = Deno.makeTempDirSync();
      try {
        const r = await cli(c.args(sandbox), { engine, stdin: c.stdin });
        assert.equal(r.code, c.code, r.stderr);
        const goldenPath = `${TRACE}${c.name}.txt`;
        if (UPDATE && engineName === "wasmrun") Deno.writeTextFileSync(goldenPath, r.stderr);
        const golden = Deno.readTextFileSync(goldenPath);
        for (const line of c.mustContain) {
          assert.ok(golden.split("\n").includes(line), `golden lacks ${line}`);
        }
        if (engineName === "wasmrun") assert.equal(r.stderr, golden);
        else assert.deepEqual(traceLines(r.stderr), traceLines(golden));
      } finally {
        Deno.removeSync(sandbox, { recursive: true });
      }
    });
  }
}

Deno.test("tracer: i64 and signed arguments, undecodable paths, calls before memory, throwing calls", () => {
  const lines: string[] = [];
  const memory = { buffer: new ArrayBuffer(65536) };
  const mem = new GuestMemory(memory);
  new Uint8Array(memory.buffer).set(new TextEncoder().encode("dir/a\u00e9"), 100);
  const state: { mem?: GuestMemory } = {};
  const seek = traced(
    "fd_seek",
    (_fd, _off, _whence, ptr: number) => {
      mem.setU64(ptr, 0xfffffffffn);
      return 0;
    },
    () => state.mem,
    "preview1",
    (l) => lines.push(l),
  );
  const open = traced("path_open", () => 44, () => state.mem, "preview1", (l) => lines.push(l));
  const exit = traced(
    "proc_exit",
    () => {
      throw Object.assign(new Error("exit"), { name: "WasiExit", code: 7 });
    },
    () => state.mem,
    "preview1",
    (l) => lines.push(l),
  );
  // The two namespaces put a filestat's size at different offsets.
  const stat = (layout: "preview1" | "unstable") =>
    traced(
      "fd_filestat_get",
      (_fd, ptr: number) => {
        mem.setU8(ptr + 16, 4);
        mem.setU64(ptr + (layout === "preview1" ? 32 : 24), 1234n);
        return 0;
      },
      () => state.mem,
      layout,
      (l) => lines.push(l),
    );
  const broken = traced(
    "fd_sync",
    () => {
      throw new Error("host bug");
    },
    () => state.mem,
    "preview1",
    (l) => lines.push(l),
  );

  // Before the memory is bound, paths stay pointers and results are not read.
  open(3, 1, 100, 7, 0, -1n, 1n << 63n, 0, 8);
  state.mem = mem;
  open(3, 1, 100, 7, 0, -1n, 1n << 63n, 0, 8);
  open(3, 1, 65530, 100, 0, 0n, 0n, 0, 8);
  seek(-1, -5n, 1, 16);
  stat("preview1")(4, 1024);
  stat("unstable")(4, 2048);
  assert.throws(() => exit(7), /exit/);
  assert.throws(() => broken(5), /host bug/);
  assert.deepEqual(lines, [
    "==> path_open(fd=3, dirflags=SYMLINK_FOLLOW, path=0x64(len 7), oflags=0, " +
    "fs_rights_base=ALL|0xffffffffc0000000, fs_rights_inheriting=0x8000000000000000, fdflags=0, opened_fd=0x8)",
    "<== errno=NOENT",
    '==> path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="dir/aé", oflags=0, ' +
    "fs_rights_base=ALL|0xffffffffc0000000, fs_rights_inheriting=0x8000000000000000, fdflags=0, opened_fd=0x8)",
    "<== errno=NOENT",
    "==> path_open(fd=3, dirflags=SYMLINK_FOLLOW, path=0xfffa(len 100), oflags=0, fs_rights_base=0, " +
    "fs_rights_inheriting=0, fdflags=0, opened_fd=0x8)",
    "<== errno=NOENT",
    "==> fd_seek(fd=4294967295, offset=-5, whence=CUR, newoffset=0x10)",
    "<== errno=SUCCESS newoffset=68719476735",
    "==> fd_filestat_get(fd=4, buf=0x400)",
    "<== errno=SUCCESS buf={filetype=REGULAR_FILE size=1234}",
    "==> fd_filestat_get(fd=4, buf=0x800)",
    "<== errno=SUCCESS buf={filetype=REGULAR_FILE size=1234}",
    "==> proc_exit(rval=7)",
    "==> fd_sync(fd=5)",
    "<== threw host bug",
  ]);
});
