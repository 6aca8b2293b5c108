/**
 * The in-memory stdio of the public API (src/wasi/stdio.ts): `BytesSource` serves its bytes with
 * Deno's `readSync` contract (a count, then null at the end, never 0 for a non-empty buffer), and
 * `BufferSink` keeps everything written to it. And the process's own stdio as it is
 * (src/wasi/stdio.ts, through tests/fixtures/wasi/stdio_kinds.c run as a subprocess): what
 * fd_fdstat_get says a pipe, a file, /dev/null and a terminal are; reads that block until a slow
 * writer sends (with and without FFI), and the guest's O_NONBLOCK on stdin (EAGAIN with nothing to
 * read) and on stdout (EAGAIN while the pipe is full).
 */
import assert from "node:assert/strict";
import { BufferSink, BytesSource } from "../mod.ts";
import { runPiped } from "./wasi_subprocess.ts";

Deno.test("BytesSource serves its bytes in reads of any size, then null at the end", () => {
  const src = new BytesSource(new Uint8Array([1, 2, 3, 4, 5]));
  const buf = new Uint8Array(2);
  assert.equal(src.readSync(buf), 2);
  assert.deepEqual([...buf], [1, 2]);
  assert.equal(src.readSync(new Uint8Array(0)), 0); // an empty buffer takes nothing, wherever it is
  assert.equal(src.readSync(buf), 2);
  assert.deepEqual([...buf], [3, 4]);
  const big = new Uint8Array(10);
  assert.equal(src.readSync(big), 1);
  assert.equal(big[0], 5);
  assert.equal(src.readSync(big), null);
  assert.equal(src.readSync(big), null); // and stays at the end
});

Deno.test("BytesSource: text is served as UTF-8; an empty source is at its end at once", () => {
  const src = new BytesSource("é!");
  const buf = new Uint8Array(8);
  assert.equal(src.readSync(buf), 3);
  assert.deepEqual([...buf.subarray(0, 3)], [0xc3, 0xa9, 0x21]);
  assert.equal(src.readSync(buf), null);
  assert.equal(new BytesSource("").readSync(buf), null);
  assert.equal(new BytesSource(new Uint8Array(0)).readSync(buf), null);
});

Deno.test("BufferSink takes every byte and keeps copies", () => {
  const sink = new BufferSink();
  const chunk = new TextEncoder().encode("ab");
  assert.equal(sink.writeSync(chunk), 2);
  chunk[0] = 0x78; // the caller reusing its buffer does not change what was written
  assert.equal(sink.writeSync(new TextEncoder().encode("cé")), 3);
  assert.equal(sink.text(), "abcé");
  assert.equal(sink.bytes().length, 5);
});

// ---------------------------------------------------------------------------------------------
// The process's own stdio, as it is: wasmrun as a subprocess running stdio_kinds.c.

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
const KINDS = `${ROOT}tests/fixtures/wasi/stdio_kinds.wasm`;

for (const [name, permissions] of [["with FFI", ["-A"]], ["without FFI", ["--allow-read"]]] as const) {
  Deno.test(`stdio as it is (${name}): a pipe is 'unknown', and each read blocks until the writer sends`, async () => {
    const r = await runPiped([...permissions], KINDS, [], async (io) => {
      await io.next("reading");
      await new Promise((r) => setTimeout(r, 300)); // the program is blocked in its read now
      await io.write("abc");
      await io.next("read 3"); // the first piece, on its own: the read did not wait for more
      await new Promise((r) => setTimeout(r, 300));
      await io.write("defg");
      await io.next("read 4");
      await io.close();
      await io.next("end after 7 bytes");
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.lines.slice(0, 2), [
      "fd 0: unknown, isatty 0 (errno 0)",
      "fd 1: unknown, isatty 0 (errno 0)",
    ]);
    assert.deepEqual(r.lines.slice(3), ["reading", "read 3", "read 4", "end after 7 bytes"]);
  });
}

Deno.test("stdio as it is: with the guest's O_NONBLOCK, a read with nothing there is EAGAIN, and poll() waits", async () => {
  const r = await runPiped(["-A"], KINDS, ["nonblock"], async (io) => {
    await io.next("EAGAIN");
    await io.write("xy");
    await io.next("read 2");
    await io.close();
    await io.next("end after 2 bytes");
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.lines.slice(3), [
    "O_NONBLOCK: 0, F_GETFL has it: 1",
    "reading",
    "EAGAIN",
    "read 2",
    "end after 2 bytes",
  ]);
});

Deno.test("stdio as it is: stdin from a file is a regular file, /dev/null is not a terminal, a terminal is", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/in.txt`, "file contents\n");
    const sh = async (redirect: string) => {
      const out = await new Deno.Command("sh", {
        args: ["-c", `exec "$0" run -A --quiet "$1" "$2" ${redirect}`, Deno.execPath(), CLI, KINDS],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout).split("\n");
    };
    const fromFile = await sh(`< '${dir}/in.txt'`);
    assert.equal(fromFile[0], "fd 0: regular file, isatty 0 (errno 0)");
    assert.equal(fromFile.at(-2), "end after 14 bytes");
    const fromNull = await sh("< /dev/null");
    assert.equal(fromNull[0], "fd 0: unknown, isatty 0 (errno 0)");
    const toFile = await sh(`< /dev/null > '${dir}/out.txt'`);
    assert.deepEqual(toFile, [""]);
    assert.equal(
      Deno.readTextFileSync(`${dir}/out.txt`).split("\n")[1],
      "fd 1: regular file, isatty 0 (errno 0)",
    );
    // A real terminal, when util-linux's script(1) can give us one.
    const script = await new Deno.Command("script", {
      args: ["-qec", `"${Deno.execPath()}" run -A --quiet "${CLI}" "${KINDS}" < /dev/null`, "/dev/null"],
      stdout: "piped",
      stderr: "null",
    }).output().catch(() => undefined);
    if (script?.success) {
      const lines = new TextDecoder().decode(script.stdout).split(/\r?\n/);
      assert.equal(lines[1], "fd 1: character device, isatty 1 (errno 0)");
    } else {
      console.log("script(1) unavailable: the terminal case is not checked");
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("stdio as it is: with the guest's O_NONBLOCK on stdout, a full pipe is EAGAIN, poll() waits for room, no byte is lost", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", "-A", CLI, `${ROOT}tests/fixtures/wasi/stdout_nonblock.wasm`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  // A slow reader (a pause after every chunk): the writer, much faster, fills the pipe.
  const chunks: Uint8Array[] = [];
  for await (const chunk of child.stdout) {
    chunks.push(chunk);
    await new Promise((r) => setTimeout(r, 2));
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
  const { code } = await child.status;
  assert.equal(code, 0, await stderr);
  assert.equal(await stderr, "wrote 4194304, EAGAIN seen 1\n");
  assert.equal(bytes.length, 4 << 20);
  const bad = bytes.findIndex((b, p) => b !== 97 + (p % 65536) % 26);
  assert.equal(bad, -1, `byte ${bad} is not the pattern's`);
});

/**
 * Runs `script` (a module body with `WASI`, `bytes(name)` and `run(wasi, name)` in scope) in a Deno
 * child with the given permissions; its stdout, stderr and status.
 */
async function childScript(permissions: string[], script: string, stdin: "null" | "piped" = "null") {
  const dir = Deno.makeTempDirSync({ prefix: "wasi_stdio_fd_" });
  const file = `${dir}/child.ts`;
  Deno.writeTextFileSync(
    file,
    `import { WASI } from ${JSON.stringify(new URL("../src/wasi/mod.ts", import.meta.url).href)};
const FIX = ${JSON.stringify(new URL("./fixtures/wasi/", import.meta.url).pathname)};
const run = (wasi: WASI, name: string) =>
  wasi.start(new WebAssembly.Instance(new WebAssembly.Module(Deno.readFileSync(FIX + name + ".wasm")),
    wasi.getImportObject() as WebAssembly.Imports) as never);
${script}`,
  );
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--quiet",
        `--allow-read=${dir},${new URL("../", import.meta.url).pathname}`,
        `--allow-write=${dir}`,
        ...permissions,
        file,
        dir,
      ],
      stdin,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr), dir };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const ARGS_ENV_OUT = "argc=1\nargv[0]=args_env (8 bytes)\nenvc=0\n";

Deno.test("stdio fds as node:wasi takes them: stdout 2 is the process's stderr, stderr 1 its stdout", async () => {
  const r = await childScript(
    [],
    `const code = run(new WASI({ args: ["args_env"], stdout: 2 }), "args_env");
const echo = run(new WASI({ args: ["stdio"], stdin: "x\\n", stdout: 2, stderr: 1 }), "stdio");
console.log("codes", code, echo);`,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, ARGS_ENV_OUT + "X\n");
  assert.equal(r.stdout, "bytes=2 isatty=000\ncodes 0 0\n");
});

Deno.test("stdio fds: any other open host fd through FFI (a file from node:fs), a clear error without FFI", async () => {
  const script = `import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
const dir = Deno.args[0];
writeFileSync(dir + "/in.txt", "from a file\\n");
const input = openSync(dir + "/in.txt", "r");
const output = openSync(dir + "/out.txt", "w");
let result;
try {
  const code = run(new WASI({ args: ["stdio"], stdin: input, stdout: output, stderr: output }), "stdio");
  result = { code, out: readFileSync(dir + "/out.txt", "utf8") };
} catch (err) {
  result = { error: err.message };
}
closeSync(input);
closeSync(output);
console.log(JSON.stringify(result));`;
  const [ffi, noFfi] = await Promise.all([childScript(["--allow-ffi"], script), childScript([], script)]);
  assert.equal(ffi.code, 0, ffi.stderr);
  // Both files are regular files to the guest (isatty 0), stdout and stderr share the one file.
  assert.deepEqual(JSON.parse(ffi.stdout), { code: 0, out: "FROM A FILE\nbytes=12 isatty=000\n" });
  assert.equal(noFfi.code, 0, noFfi.stderr);
  assert.match(
    JSON.parse(noFfi.stdout).error,
    /^stdin: host fd \d+ can only be reached through Deno's FFI, and Deno's FFI is not permitted \(add --allow-ffi/,
  );
});
