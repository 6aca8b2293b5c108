/**
 * Without --dir, `wasmrun exec` preopens the current directory as `.`, still behind Deno's
 * permissions: each case runs cli.ts in a subprocess whose working directory is a fresh temporary
 * directory holding the wordcount example (`wordcount .` lists `.`, counts its text files and writes
 * ./report.txt), with only the Deno permissions the case names.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { EXAMPLES } from "./cli_harness.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

interface Proc {
  code: number;
  stdout: string;
  stderr: string;
}

async function wasmrunIn(cwd: string, denoFlags: string[], args: string[]): Promise<Proc> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...denoFlags, CLI, ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** A temporary directory with the wordcount program and two text files; `sub/` holds a third. */
function workDir(): string {
  const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasmrun_cwd_" }));
  for (const f of ["poem.txt", "notes.md", "wordcount.wasm"]) {
    Deno.copyFileSync(`${EXAMPLES}${f}`, `${dir}/${f}`);
  }
  Deno.mkdirSync(`${dir}/sub`);
  Deno.writeTextFileSync(`${dir}/sub/only.txt`, "one two three\n");
  return dir;
}

const TABLE =
  /^ {3}lines {4}words {4}bytes {2}file\n\s+4\s+24\s+161 {2}notes\.md\n\s+4\s+25\s+143 {2}poem\.txt\n/;

Deno.test("exec without --dir sees the current directory as '.', behind Deno's read and write permissions", async () => {
  const dir = workDir();
  try {
    const [readOnly, readWrite] = await Promise.all([
      wasmrunIn(dir, ["--allow-read=."], ["wordcount.wasm", "."]),
      wasmrunIn(dir, ["--allow-read=.", "--allow-write=./sub"], ["wordcount.wasm", "sub"]),
    ]);
    // Read permission alone: it lists and reads `.`, and its write gets EACCES from the second gate.
    assert.match(readOnly.stdout, TABLE);
    assert.match(readOnly.stderr, /^wordcount: cannot write \.\/report\.txt: Permission denied$/m);
    assert.equal(readOnly.code, 3);
    assert.throws(() => Deno.statSync(`${dir}/report.txt`), Deno.errors.NotFound);
    // Where Deno lets it write, it writes: the report lands in the real directory.
    assert.equal(readWrite.code, 0, readWrite.stderr);
    assert.match(readWrite.stdout, / 14 {2}only\.txt\n.*wrote sub\/report\.txt\n$/s);
    assert.match(Deno.readTextFileSync(`${dir}/sub/report.txt`), / 14 {2}only\.txt\n/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("any --dir replaces the default preopen; --no-default-dir turns it off; unreadable '.' is left out", async () => {
  const dir = workDir();
  const elsewhere = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasmrun_elsewhere_" }));
  try {
    const [withDir, withDirDot, noDefault, unreadableCwd] = await Promise.all([
      wasmrunIn(dir, ["--allow-read=."], ["--dir", "sub::/data", "wordcount.wasm"]),
      wasmrunIn(dir, ["--allow-read=."], ["--dir", "sub::/data", "wordcount.wasm", "."]),
      wasmrunIn(dir, ["--allow-read=."], ["--no-default-dir", "wordcount.wasm", "."]),
      // Deno may read the module but not the working directory: no preopen, and no error for it.
      wasmrunIn(elsewhere, [`--allow-read=${dir}/wordcount.wasm`], [`${dir}/wordcount.wasm`, "."]),
    ]);
    assert.match(withDir.stdout, /^.*\n\s+1\s+3\s+14 {2}only\.txt\n/);
    assert.equal(withDir.code, 3, withDir.stderr); // the report write: no --allow-write
    // No preopen matches `.`: wasi-libc says ENOTCAPABLE, before any call reaches the host.
    const notVisible = {
      code: 1,
      stdout: "",
      stderr: "wordcount: cannot list .: Capabilities insufficient\n",
    };
    assert.deepEqual(withDirDot, notVisible, "--dir");
    assert.deepEqual(noDefault, notVisible, "--no-default-dir");
    assert.deepEqual(unreadableCwd, notVisible, "no read permission for the working directory");
  } finally {
    Deno.removeSync(dir, { recursive: true });
    Deno.removeSync(elsewhere, { recursive: true });
  }
});
