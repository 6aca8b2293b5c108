/**
 * Real WASI programs (C compiled with wasi-libc, and WAT; see tests/fixtures/wasi/) run through the
 * WASI class on Deno's built-in WebAssembly. The same programs run on wasmrun's engine in the CLI
 * tests and under Node's node:wasi in wasi_node_test.ts.
 */
import assert from "node:assert/strict";
import { escapeScene, FIXTURES, listTree, runWasi } from "./wasi_run.ts";

Deno.test("fs_tour.c: files, directories, links, seeking, truncation, times, readdir with cookies", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const r = runWasi("fs_tour", { preopens: { "/sandbox": dir } });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, Deno.readTextFileSync(`${FIXTURES}fs_tour.expected`));
    assert.deepEqual(listTree(dir).filter((n) => !n.startsWith("many/")), ["data.bin", "many"]);
    assert.equal(listTree(`${dir}/many`).length, 300);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("escape.c: every way out of the preopen fails and the host is untouched", () => {
  const scene = escapeScene();
  try {
    const before = listTree(scene.base);
    const r = runWasi("escape", { preopens: { "/sandbox": scene.sandbox } });
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 16);
    for (const line of lines.slice(0, -1)) assert.match(line, /Capabilities insufficient$/, line);
    assert.match(lines.at(-1)!, /\/sandbox\/mine\s+OPENED$/);
    assert.deepEqual(listTree(scene.base), before);
    assert.equal(Deno.readTextFileSync(`${scene.outside}/secret`), "SECRET");
  } finally {
    Deno.removeSync(scene.base, { recursive: true });
  }
});

Deno.test("stdio.c: stdin is read to the end, output is exact, nothing is a terminal", () => {
  const r = runWasi("stdio", { stdin: "héllo\nwörld\n" });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "HéLLO\nWöRLD\n");
  assert.equal(r.stderr, "bytes=14 isatty=000\n"); // UTF-8 bytes
  assert.equal(runWasi("stdio", { stdin: new Uint8Array([0x61, 0x00, 0x62]) }).stdout, "A\0B");
});

Deno.test("args_env.c: UTF-8 argv and environment, counted in bytes", () => {
  const r = runWasi("args_env", { args: ["prog", "é", "日本語", "a b"], env: { ZED: "ü", A: "1=2" } });
  assert.equal(
    r.stdout,
    "argc=4\nargv[0]=prog (4 bytes)\nargv[1]=é (2 bytes)\nargv[2]=日本語 (9 bytes)\nargv[3]=a b (3 bytes)\n" +
      "envc=2\nenv A=1=2 (5 bytes)\nenv ZED=ü (6 bytes)\n",
  );
});

Deno.test("exit_code.c: exit() and return from main both give the status", () => {
  assert.equal(runWasi("exit_code", { args: ["x", "42"] }).code, 42);
  assert.equal(runWasi("exit_code", { args: ["x", "7", "return"] }).code, 7);
  assert.equal(runWasi("exit_code", { args: ["x", "0"] }).code, 0);
  assert.equal(runWasi("exit_code", { args: ["x", "300"] }).code, 300); // the CLI reduces it to 300 & 255
});

Deno.test("clock_sleep.c: nanosleep really waits, clocks are sane", () => {
  const t0 = performance.now();
  const r = runWasi("clock_sleep", { args: ["x", "40"] });
  assert.ok(performance.now() - t0 >= 40);
  assert.equal(r.stdout, "slept long enough\nrealtime after 2020: yes\n");
});

Deno.test("start_section.wat runs its start function before _start", () => {
  assert.deepEqual(runWasi("start_section"), { code: 0, stdout: "start section ran\n", stderr: "" });
});

Deno.test("unstable_hello.wat: wasi_unstable imports with snapshot-0 whence numbering", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const r = runWasi("unstable_hello", { preopens: { "/sandbox": dir } });
    assert.equal(r.stdout, "hello from wasi_unstable\n");
    assert.equal(r.code, "D".charCodeAt(0)); // byte 3 of "ABCDEF"
    assert.equal(Deno.readTextFileSync(`${dir}/f.txt`), "ABCDEF");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("clock_res.c: clock_getres/clock_gettime as a program's first calls, and into freshly grown memory", () => {
  const r = runWasi("clock_res");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "monotonic getres=0 res=0.000000001 gettime=0 positive=1",
      "realtime getres=0 res=0.000000001 gettime=0 positive=1",
      "after grow getres=0 res=0.000000001",
      "process getres=0 res=0.000001000 gettime=0 positive=1",
      "",
    ].join("\n"),
  );
});
