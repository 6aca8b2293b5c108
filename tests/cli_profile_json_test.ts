/**
 * `--profile=json[,FILE]` (a speedscope file with the same counts as the text report), and the
 * demangled names of traps' backtraces and profiles (raw with `--no-demangle`).
 */
import assert from "node:assert/strict";
import { cli, isOneLineError } from "./cli_harness.ts";
import { parseCommandLine } from "../src/cli/args.ts";
import type { SpeedscopeFile } from "../src/cli/profile.ts";
import { wat } from "./wat.ts";

/** Rust and C++ names, as a name section holds them: a guest built from those languages. */
const RUST_FIB = "_ZN3app3fib17h0123456789abcdefE";
const CPP_TWICE = "_ZN3app5twiceEi";
const V0_TRAP = "_RNvNtCs1234_3app5check4fail";

const MODULE = `(module (memory (export "memory") 1)
  (func $${RUST_FIB} (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $${RUST_FIB} (i32.sub (local.get 0) (i32.const 1)))
                     (call $${RUST_FIB} (i32.sub (local.get 0) (i32.const 2)))))))
  (func $${CPP_TWICE} (export "twice") (param i32) (result i32)
    (i32.add (call $${RUST_FIB} (local.get 0)) (call $${RUST_FIB} (local.get 0))))
  (func $${V0_TRAP} (export "fail") unreachable)
  (func $plain (export "boom") (call $${V0_TRAP})))`;

const dir = Deno.makeTempDirSync({ prefix: "wasmrun_profile_json_" });
const modulePath = `${dir}/app.wasm`;
Deno.writeFileSync(modulePath, wat(MODULE));
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** The text report's rows: [count, name], most first. */
function textRows(stderr: string): [number, string][] {
  return stderr.trimEnd().split("\n").slice(2).map((line) => {
    const m = /^ +(\d+) +[\d.]+% {2}(.*)$/.exec(line);
    assert.ok(m, line);
    return [Number(m[1]), m[2]];
  });
}

Deno.test("--profile=json writes a speedscope file with the text report's names and counts", async () => {
  const text = await cli(["--profile", "-c", "twice", modulePath, "15"]);
  assert.equal(text.code, 0);
  const rows = textRows(text.stderr);
  assert.deepEqual(rows.map((r) => r[1]), ["app::fib", "app::twice(int)"]);

  const out = `${dir}/profile.json`;
  const r = await cli([`--profile=json,${out}`, "-c", "twice", modulePath, "15"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "1220\n");
  const file = JSON.parse(Deno.readTextFileSync(out)) as SpeedscopeFile;
  const total = rows.reduce((sum, [n]) => sum + n, 0);
  assert.equal(
    r.stderr,
    `profile: ${total} operations executed in 2 function(s), written to ${out} (speedscope's format)\n`,
  );
  // The fields speedscope's schema requires of a file and of a sampled profile.
  assert.equal(file.$schema, "https://www.speedscope.app/file-format-schema.json");
  assert.equal(file.exporter, "wasmrun");
  assert.equal(file.activeProfileIndex, 0);
  assert.equal(file.profiles.length, 1);
  const [profile] = file.profiles;
  assert.equal(profile.type, "sampled");
  assert.equal(profile.unit, "none");
  assert.equal(typeof profile.name, "string");
  assert.equal(profile.startValue, 0);
  assert.equal(profile.endValue, total);
  assert.equal(profile.samples.length, profile.weights.length);
  // Every sample names a frame; the frames' names and weights are the text report's rows.
  const named = profile.samples.map((stack, i) => {
    assert.equal(stack.length, 1);
    return [profile.weights[i], file.shared.frames[stack[0]].name];
  });
  assert.deepEqual(named, rows);
  assert.deepEqual(file.shared.frames.map((f) => f.file), ["wasm-function[0]", "wasm-function[1]"]);
});

Deno.test("--profile=json alone writes wasmrun-profile.json in the current directory", async () => {
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    const r = await cli(["--profile=json", "-c", "fib", modulePath, "10"]);
    assert.equal(r.code, 0);
    const file = JSON.parse(Deno.readTextFileSync(`${dir}/wasmrun-profile.json`)) as SpeedscopeFile;
    assert.deepEqual(file.shared.frames.map((f) => f.name), ["app::fib"]);
  } finally {
    Deno.chdir(cwd);
  }
});

Deno.test("--profile's forms: text, json, json,FILE; anything else is a usage error", async () => {
  const exec = (args: string[]) => {
    const cmd = parseCommandLine(args);
    assert.equal(cmd.command, "exec");
    return cmd.command === "exec" ? [cmd.profile, cmd.profileJson] : [];
  };
  assert.deepEqual(exec(["--profile", "m.wasm"]), [true, undefined]);
  assert.deepEqual(exec(["--profile=text", "m.wasm"]), [true, undefined]);
  assert.deepEqual(exec(["--profile=json", "m.wasm"]), [true, "wasmrun-profile.json"]);
  assert.deepEqual(exec(["--profile=json,out/p.json", "m.wasm"]), [true, "out/p.json"]);
  for (const bad of ["--profile=svg", "--profile=json,", "--profile=text,x"]) {
    const r = await cli([bad, modulePath]);
    assert.equal(r.code, 2, bad);
    assert.ok(isOneLineError(r), r.stderr);
  }
});

Deno.test("a profile file that cannot be written is one line; the program's status stands", async () => {
  const r = await cli([`--profile=json,${dir}/no/such/dir/p.json`, "-c", "fib", modulePath, "5"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "5\n");
  assert.match(r.stderr, /^wasmrun: --profile: cannot write .*no\/such\/dir\/p\.json: [^\n]+\n$/);
});

Deno.test("a trap's backtrace shows demangled names, raw ones with --no-demangle", async () => {
  const r = await cli(["-c", "boom", modulePath]);
  assert.equal(r.code, 134);
  assert.match(
    r.stderr,
    /^Error: unreachable\nwasm backtrace:\n {2}0: 0x[0-9a-f]+ - app::check::fail\n {2}1: 0x[0-9a-f]+ - plain\n$/,
  );
  const raw = await cli(["--no-demangle", "-c", "boom", modulePath]);
  assert.equal(raw.stderr, r.stderr.replace("app::check::fail", V0_TRAP));
  const profile = await cli(["--no-demangle", "--profile", "-c", "twice", modulePath, "5"]);
  assert.deepEqual(textRows(profile.stderr).map((row) => row[1]), [RUST_FIB, CPP_TWICE]);
});
