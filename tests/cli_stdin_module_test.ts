/**
 * `-` as the module: its bytes (binary or WebAssembly text) are read from stdin, for every command
 * that takes a module. A real pipe in a subprocess, and in-process runs with stdin given as bytes;
 * the guest then finds its own stdin at end of input, and its argv[0] is "-".
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { main } from "../cli.ts";
import { BufferSink } from "../src/wasi/mod.ts";
import { type CliResult, ENGINES, FIX, isOneLineError } from "./cli_harness.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** cli.ts in a subprocess with `stdin` piped in, allowed to read the fixtures only. */
async function piped(args: string[], stdin: Uint8Array): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", `--allow-read=${FIX}`, CLI, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(stdin);
  await writer.close();
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** `main` in-process with `stdin` as the bytes of the process's stdin. */
async function run(args: string[], stdin: Uint8Array | string, engine = ENGINES[0][1]): Promise<CliResult> {
  const stdout = new BufferSink(), stderr = new BufferSink();
  const code = await main(args, { stdin, stdout, stderr, engine });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const ADD_WAT = `(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`;

Deno.test("a module piped into `wasmrun -` runs; argv[0] is '-'; the guest's stdin is at end of input", async () => {
  const [argsEnv, stdio, text] = await Promise.all([
    piped(["-", "x", "-"], Deno.readFileSync(`${FIX}args_env.wasm`)),
    piped(["-"], Deno.readFileSync(`${FIX}stdio.wasm`)),
    piped(["--invoke", "add", "-", "2", "3"], new TextEncoder().encode(ADD_WAT)),
  ]);
  assert.equal(argsEnv.code, 0, argsEnv.stderr);
  assert.match(
    argsEnv.stdout,
    /^argc=3\nargv\[0\]=- \(1 bytes\)\nargv\[1\]=x \(1 bytes\)\nargv\[2\]=- \(1 bytes\)\n/,
  );
  // The module used up stdin: the program reads nothing, and stdin is a pipe, not a terminal.
  assert.deepEqual(stdio, { code: 0, stdout: "", stderr: "bytes=0 isatty=000\n" });
  assert.deepEqual(text, { code: 0, stdout: "5\n", stderr: "" });
});

for (const [engineName, engine] of ENGINES) {
  Deno.test(`[${engineName}] exec -: text and binary from stdin; bad input is one line naming <stdin>`, async () => {
    assert.deepEqual(await run(["-c", "add", "-", "40", "2"], ADD_WAT, engine), {
      code: 0,
      stdout: "42\n",
      stderr: "",
    });
    const trap = await run(["-"], Deno.readFileSync(`${FIX}trap.wasm`), engine);
    assert.equal(trap.code, 134);
    assert.match(trap.stderr, /^Error: [^\n]*divide by zero\n/);
    const cases: [Uint8Array | string, RegExp][] = [
      ["", /^wasmrun: <stdin> is empty, not a WebAssembly module\n$/],
      ["(module (func i32.add", /^wasmrun: <stdin>:1:\d+: [^\n]+\n$/],
      [
        "int main(void) {}",
        /^wasmrun: <stdin> is not a WebAssembly module \(it does not start with \\0asm\)\n$/,
      ],
      [new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff]), /^wasmrun: <stdin>: invalid module: /],
      [
        `(module (import "env" "f" (func)))`,
        /^wasmrun: <stdin> needs imports wasmrun does not provide: env\.f/,
      ],
    ];
    for (const [input, expected] of cases) {
      const r = await run(["-"], input, engine);
      assert.ok(isOneLineError(r), JSON.stringify(r));
      assert.equal(r.code, 1, JSON.stringify(r));
      assert.match(r.stderr, expected);
    }
  });
}

Deno.test("inspect, validate, print and parse read `-` from stdin too", async () => {
  const binary = Deno.readFileSync(`${FIX}reactor.wasm`);
  const inspected = await run(["inspect", "--json", "-"], binary);
  assert.equal(inspected.code, 0, inspected.stderr);
  const report = JSON.parse(inspected.stdout);
  assert.equal(report.file, "<stdin>");
  assert.equal(report.format, "binary");
  assert.deepEqual(await run(["validate", "-"], ADD_WAT), { code: 0, stdout: "", stderr: "" });
  const invalid = await run(["validate", "-"], "(module (func (result i32)))");
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /^wasmrun: <stdin>: invalid module: /);
  const printed = await run(["print", "-"], ADD_WAT);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /\(export "add" \(func/);
  const parsed = await run(["parse", "-o", "-", "-"], ADD_WAT);
  assert.equal(parsed.code, 0, parsed.stderr);
  assert.ok(parsed.stdout.startsWith("\0asm"), JSON.stringify(parsed.stdout.slice(0, 8)));
});
