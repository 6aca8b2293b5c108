/**
 * The wasmrun command line, run in-process (`main` with in-memory stdio) on wasmrun's engine and
 * on V8: argument handling, entry points, --invoke, exit statuses, traps, inspect, validate, help.
 * Things that need a real process (stdin pipes, Deno permission flags) are in cli_process_test.ts.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { cli, type CliResult, ENGINES, EXAMPLES, FIX, isOneLineError } from "./cli_harness.ts";
import { wat } from "./wat.ts";

for (const [engineName, engine] of ENGINES) {
  const run = (args: string[], stdin?: string) => cli(args, { engine, stdin });

  Deno.test(`[${engineName}] exec: fs_tour.c in a --dir sandbox prints the expected tour, exit 0`, async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const r = await run(["exec", "--dir", `${dir}::/sandbox`, `${FIX}fs_tour.wasm`]);
      assert.equal(r.stderr, "");
      assert.equal(r.stdout, Deno.readTextFileSync(`${FIX}fs_tour.expected`));
      assert.equal(r.code, 0);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });

  Deno.test(`[${engineName}] exec: guest arguments pass through unchanged, UTF-8 argv and env`, async () => {
    const r = await run([
      "--env",
      "GREETING=grüß dich",
      "--env=EMPTY=",
      "--argv0",
      "prog",
      "--",
      `${FIX}args_env.wasm`,
      "--",
      "--dir",
      "-c",
      "日本語",
      "",
    ]);
    assert.equal(
      r.stdout,
      "argc=5\nargv[0]=prog (4 bytes)\nargv[1]=--dir (5 bytes)\nargv[2]=-c (2 bytes)\nargv[3]=日本語 (9 bytes)\n" +
        "argv[4]= (0 bytes)\nenvc=2\nenv EMPTY= (6 bytes)\nenv GREETING=grüß dich (20 bytes)\n",
    );
    // argv[0] defaults to the module's file name (wasmtime's and wazero's choice); nothing is inherited.
    const plain = await run([`${FIX}args_env.wasm`, "x"]);
    assert.match(plain.stdout, /^argc=2\nargv\[0\]=args_env\.wasm \(13 bytes\).*envc=0\n$/s);
  });

  Deno.test(`[${engineName}] exec: --env NAME passes the host value; --inherit-env passes all`, async () => {
    Deno.env.set("WASMRUN_TEST_VAR", "from host");
    try {
      const r = await run(["--env", "WASMRUN_TEST_VAR", "--env", "WASMRUN_UNSET_VAR", `${FIX}args_env.wasm`]);
      assert.match(r.stdout, /envc=1\nenv WASMRUN_TEST_VAR=from host /);
      const all = await run(["--inherit-env", `${FIX}args_env.wasm`]);
      assert.match(all.stdout, /env WASMRUN_TEST_VAR=from host /);
      assert.equal(Number(all.stdout.match(/envc=(\d+)/)![1]), Object.keys(Deno.env.toObject()).length);
    } finally {
      Deno.env.delete("WASMRUN_TEST_VAR");
    }
  });

  Deno.test(`[${engineName}] exec: exit statuses from exit(), return from main, and truncation to 8 bits`, async () => {
    assert.equal((await run([`${FIX}exit_code.wasm`, "42"])).code, 42);
    assert.equal((await run([`${FIX}exit_code.wasm`, "9", "return"])).code, 9);
    assert.equal((await run([`${FIX}exit_code.wasm`, "300"])).code, 300 & 255);
    assert.equal((await run([`${FIX}exit_code.wasm`, "-1"])).code, 255);
    assert.equal((await run([`${FIX}exit_code.wasm`, "0"])).code, 0);
  });

  Deno.test(`[${engineName}] exec: stdin, stdout and stderr are the guest's`, async () => {
    const r = await run([`${FIX}stdio.wasm`], "abc\ndéf\n");
    assert.deepEqual(r, { code: 0, stdout: "ABC\nDéF\n", stderr: "bytes=9 isatty=000\n" });
  });

  Deno.test(`[${engineName}] exec: a trap prints Error: <message>, exits 134`, async () => {
    const r = await run([`${FIX}trap.wasm`]);
    assert.equal(r.code, 134);
    assert.equal(r.stdout, "before trap\n");
    assert.match(r.stderr, /^Error: [^\n]*divide by zero\n/);
    if (engineName === "wasmrun") {
      // wasmrun's engine adds a backtrace, innermost first, named from the name section.
      assert.equal(
        r.stderr,
        "Error: integer divide by zero\nwasm backtrace:\n  0: 0x6d - inner\n  1: 0x73 - outer\n  2: 0x91 - _start\n",
      );
    } else {
      assert.equal(r.stderr.split("\n").length, 2, "V8 gives no frames: one line");
    }
  });

  Deno.test(`[${engineName}] a trap in the start section is reported like any trap`, async () => {
    const r = await run([`${FIX}start_trap.wasm`]);
    assert.equal(r.code, 134);
    assert.match(r.stderr, /^Error: [^\n]*out of bounds/);
  });

  Deno.test(`[${engineName}] entry points: start section then _start; main; none; reactor`, async () => {
    assert.deepEqual(await run([`${FIX}start_section.wasm`]), {
      code: 0,
      stdout: "start section ran\n",
      stderr: "",
    });
    assert.deepEqual(await run([`${FIX}main_export.wasm`]), { code: 5, stdout: "main ran\n", stderr: "" });
    const none = await run([`${FIX}no_entry.wasm`]);
    assert.ok(isOneLineError(none));
    assert.match(none.stderr, /has no entry point \(_start or main\).*exported functions: helper, other\n$/);
    assert.equal(none.code, 1);
    const reactor = await run([`${FIX}reactor.wasm`]);
    assert.ok(isOneLineError(reactor));
    assert.match(reactor.stderr, /is a reactor .*--invoke NAME.*add, mul64/);
  });

  Deno.test(`[${engineName}] --invoke parses arguments by signature and prints each result`, async () => {
    const inv = async (...a: string[]) => {
      const r = await run(["--invoke", a[0], `${FIX}reactor.wasm`, ...a.slice(1)]);
      assert.equal(r.stderr, "", r.stderr);
      assert.equal(r.code, 0);
      return r.stdout;
    };
    assert.equal(await inv("add", "2", "40"), "42\n");
    assert.equal(await inv("add", "0x7fffffff", "1"), "-2147483648\n");
    assert.equal(await inv("add", "0xffffffff", "-1"), "-2\n");
    assert.equal(await inv("mul64", "-0x8000000000000000", "-1"), "-9223372036854775808\n");
    assert.equal(await inv("mul64", "18446744073709551615", "3"), "-3\n");
    assert.equal(await inv("fsum", "0.5", "0.25"), "0.75\n");
    assert.equal(await inv("fsum", "inf", "-inf"), "nan\n");
    assert.equal(await inv("fsum", "-0", "-0"), "-0\n");
    assert.equal(await inv("fsum", "1e3", "nan"), "nan\n");
    assert.equal(await inv("neg32", "0.1"), "-0.1\n"); // shortest f32 text, not 0.10000000149…
    assert.equal(await inv("neg32", "-1.00025465e-36"), "1.00025465e-36\n"); // an f32 that needs all 9 digits
    assert.equal(await inv("neg32", "-inf"), "inf\n");
    assert.equal(await inv("pair", "-7"), "-7\n-7\n"); // multi-value: one line each
    assert.equal(await inv("nothing"), "");
    assert.equal(await inv("ready"), "1\n"); // _initialize ran first
    // -c and --call are the same option; a command's exports can be called too.
    assert.equal((await run(["-c", "add", `${FIX}reactor.wasm`, "1", "2"])).stdout, "3\n");
    assert.equal((await run(["--call=add", `${FIX}reactor.wasm`, "1", "2"])).stdout, "3\n");
  });

  Deno.test({
    name: `[${engineName}] --invoke: references, negative hex floats, infinities; v128 parameters refused`,
    async fn() {
      const dir = Deno.makeTempDirSync({ prefix: "wasmrun-invoke-" });
      try {
        const path = `${dir}/m.wasm`;
        Deno.writeFileSync(
          path,
          wat(
            `(module
            (func $f)
            (table funcref (elem $f))
            (func (export "refs") (param externref funcref) (result externref funcref) local.get 0 local.get 1)
            (func (export "fref") (result funcref) (table.get 0 (i32.const 0)))
            (func (export "neg64") (param f64) (result f64) (f64.neg (local.get 0)))
            (func (export "neg32") (param f32) (result f32) (f32.neg (local.get 0)))
            (func (export "vec") (param v128)))`,
          ),
        );
        const inv = (...a: string[]) => run(["--invoke", a[0], path, ...a.slice(1)]);
        const out = async (...a: string[]) => {
          const r = await inv(...a);
          assert.equal(r.stderr, "", r.stderr);
          assert.equal(r.code, 0);
          return r.stdout;
        };
        assert.equal(await out("refs", "null", "null"), "null\nnull\n");
        assert.equal(await out("fref"), "<funcref>\n");
        assert.equal(await out("neg64", "-0x10"), "16\n");
        assert.equal(await out("neg64", "+0x10"), "-16\n");
        assert.equal(await out("neg64", "inf"), "-inf\n");
        assert.equal(await out("neg32", "-0x1"), "1\n");
        const bad = await inv("refs", "0", "null");
        assert.equal(bad.stderr, 'wasmrun: argument 1: "0" is not a valid externref\n');
        assert.equal(bad.code, 2);
        const vec = await inv("vec", "0");
        assert.equal(vec.stderr, "wasmrun: argument 1: cannot pass a v128 from the command line\n");
        assert.equal(vec.code, 2);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    },
  });

  Deno.test(`[${engineName}] --invoke errors: unknown name lists functions, wrong count, bad values, traps`, async () => {
    const r1 = await run(["--invoke", "nope", `${FIX}reactor.wasm`]);
    assert.ok(isOneLineError(r1));
    assert.equal(r1.code, 2);
    assert.match(
      r1.stderr,
      /exports no function "nope"; exported functions: _initialize, ready, add, mul64, fsum/,
    );
    const r2 = await run(["--invoke", "add", `${FIX}reactor.wasm`, "1"]);
    assert.deepEqual([r2.code, r2.stderr], [2, "wasmrun: add takes 2 argument(s), got 1\n"]);
    for (const bad of ["1.5", "x", "0x", "4294967296", "-2147483649", ""]) {
      const r = await run(["--invoke", "add", `${FIX}reactor.wasm`, "1", bad]);
      assert.equal(r.code, 2, bad);
      assert.equal(r.stderr, `wasmrun: argument 2: ${JSON.stringify(bad)} is not a valid i32\n`);
    }
    const r3 = await run(["--invoke", "fsum", `${FIX}reactor.wasm`, "1", "one"]);
    assert.equal(r3.stderr, 'wasmrun: argument 2: "one" is not a valid f64\n');
    const r4 = await run(["--invoke", "g", `${FIX}reactor.wasm`]); // a global, not a function
    assert.equal(r4.code, 2);
    const boom = await run(["--invoke", "boom", `${FIX}reactor.wasm`]);
    assert.equal(boom.code, 134);
    assert.match(boom.stderr, /^Error: [^\n]*unreachable/);
  });

  Deno.test(`[${engineName}] exec: wasi_unstable modules run`, async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const r = await run(["--dir", `${dir}::/sandbox`, `${FIX}unstable_hello.wasm`]);
      assert.deepEqual(r, { code: 68, stdout: "hello from wasi_unstable\n", stderr: "" });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });

  Deno.test(`[${engineName}] the wordcount example reads, lists and writes its directory; :ro makes it fail`, async () => {
    const dir = Deno.makeTempDirSync();
    try {
      for (const f of ["poem.txt", "notes.md", "wordcount.c", "wordcount.wasm"]) {
        Deno.copyFileSync(`${EXAMPLES}${f}`, `${dir}/${f}`);
      }
      const r = await run(["exec", "--dir", `${dir}::/data`, `${EXAMPLES}wordcount.wasm`]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], "   lines    words    bytes  file");
      assert.match(lines[1], /^\s+4\s+24\s+161 {2}notes\.md$/);
      assert.match(lines[2], /^\s+4\s+25\s+143 {2}poem\.txt$/);
      assert.match(r.stdout, /total \(3 files\)\n\(1 other files skipped\)\nwrote \/data\/report.txt\n$/);
      assert.equal(Deno.readTextFileSync(`${dir}/report.txt`), lines.slice(0, 5).join("\n") + "\n");
      Deno.removeSync(`${dir}/report.txt`);
      const ro = await run(["exec", "--dir", `${dir}::/data:ro`, `${EXAMPLES}wordcount.wasm`]);
      assert.equal(ro.code, 3);
      assert.equal(ro.stderr, "wordcount: cannot write /data/report.txt: Read-only file system\n");
      assert.throws(() => Deno.statSync(`${dir}/report.txt`));
      // `::ro` (the form proposed for wasmtime) is read-only too, and `run` is exec (wasmtime's spelling).
      const ro2 = await run(["run", "--dir", `${dir}::/data::ro`, `${EXAMPLES}wordcount.wasm`]);
      assert.equal(ro2.code, 3);
      assert.equal(ro2.stderr, "wordcount: cannot write /data/report.txt: Read-only file system\n");
      const missing = await run(["exec", `${EXAMPLES}wordcount.wasm`]); // no --dir: only '.', no /data
      assert.equal(missing.code, 1);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("bad input: each is one line naming the problem and a non-zero exit", async () => {
  const tmp = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${tmp}/empty.wasm`, new Uint8Array());
    Deno.writeFileSync(`${tmp}/trunc.wasm`, Deno.readFileSync(`${FIX}reactor.wasm`).subarray(0, 30));
    Deno.writeFileSync(`${tmp}/short.wasm`, new Uint8Array([0, 0x61, 0x73, 0x6d, 1]));
    Deno.writeFileSync(`${tmp}/component.wasm`, new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
    Deno.writeTextFileSync(`${tmp}/file`, "");
    const cases: [string[], number, RegExp][] = [
      [[`${tmp}/missing.wasm`], 1, /missing\.wasm: no such file$/],
      [[`${tmp}/file/x.wasm`], 1, /file\/x\.wasm: no such file \(a directory in the path is a file\)$/],
      [[tmp], 1, /is a directory, not a WebAssembly module$/],
      [[`${tmp}/empty.wasm`], 1, /empty\.wasm is empty, not a WebAssembly module$/],
      [[`${FIX}fs_tour.c`], 1, /fs_tour\.c is not a WebAssembly module \(it does not start with \\0asm\)$/],
      // Text is a module too (it runs, and this one is a reactor): see tests/cli_text_test.ts.
      [[`${FIX}reactor.wat`], 1, /reactor\.wat is a reactor \(it exports _initialize, not _start\)/],
      [[`${tmp}/trunc.wasm`], 1, /trunc\.wasm: invalid module: /],
      [[`${tmp}/short.wasm`], 1, /short\.wasm: invalid module: truncated header/],
      [[`${tmp}/component.wasm`], 1, /is a WebAssembly component, not a core module$/],
      [
        [`${FIX}needs_env.wasm`],
        1,
        /needs imports wasmrun does not provide: env\.host_log \(function\), wasi_snapshot_preview1\.not_a_wasi_function \(function\), env\.table \(table\)$/,
      ],
      [["--dir", `${tmp}/nope`, `${FIX}exit_code.wasm`], 1, /--dir .*nope: no such directory$/],
      [["--dir", `${tmp}/file`, `${FIX}exit_code.wasm`], 1, /--dir .*file: not a directory$/],
      [
        ["--dir", `${tmp}/file/sub`, `${FIX}exit_code.wasm`],
        1,
        /--dir .*file\/sub: no such directory \(a directory in the path is a file\)$/,
      ],
      [["--dir", "a::b::c", `${FIX}exit_code.wasm`], 2, /--dir "a::b::c": expected HOST\[::GUEST\]\[:ro\]$/],
      [["--dir", "::g", `${FIX}exit_code.wasm`], 2, /expected HOST\[::GUEST\]\[:ro\]$/],
      [["--dir", "a::/data:", `${FIX}exit_code.wasm`], 2, /--dir "a::\/data:": a path ends in ':'/],
      [
        ["--dir", `${tmp}::/a`, "--dir", `${tmp}::/a`, `${FIX}exit_code.wasm`],
        2,
        /guest path \/a is given twice$/,
      ],
      [["--env", "=value", `${FIX}exit_code.wasm`], 2, /--env "=value": expected NAME=VALUE or NAME$/],
      [["--env"], 2, /--env needs a value$/],
      [["--frobnicate", `${FIX}exit_code.wasm`], 2, /unknown option --frobnicate/],
      [["exec"], 2, /missing module path/],
      [["--dir", tmp], 2, /missing module path/],
      [["inspect", "--nope", "x"], 2, /unknown option --nope for inspect/],
      [["inspect", `${FIX}reactor.wasm`, "extra"], 2, /inspect takes one module/],
      [["help", "frob"], 2, /no help for "frob"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args);
      assert.ok(isOneLineError(r), `${args.join(" ")}: ${JSON.stringify(r)}`);
      assert.equal(r.code, code, args.join(" "));
      assert.match(r.stderr.trimEnd(), message, args.join(" "));
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("bad input: a --dir the OS does not let this process read is one line, exit 1", async () => {
  const tmp = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${tmp}/closed`);
    Deno.chmodSync(`${tmp}/closed`, 0o000);
    const args = ["--dir", `${tmp}/closed`, `${FIX}exit_code.wasm`];
    // root reads any directory whatever its mode: as root, the CLI runs as `nobody` in a child process.
    const r = Deno.uid() === 0 ? await cliAsNobody(args, tmp) : await cli(args);
    assert.ok(isOneLineError(r), JSON.stringify(r));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--dir .*closed: permission denied\n$/);
  } finally {
    Deno.chmodSync(`${tmp}/closed`, 0o700);
    Deno.removeSync(tmp, { recursive: true });
  }
});

/** The CLI in a child process as user `nobody` (uid 65534), with a Deno cache of its own under `home`. */
async function cliAsNobody(args: string[], home: string): Promise<CliResult> {
  Deno.chownSync(home, 65534, 65534);
  const cliPath = new URL("../cli.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cliPath, ...args],
    uid: 65534,
    gid: 65534,
    clearEnv: true,
    env: { DENO_DIR: `${home}/deno`, HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("help and version", async () => {
  const version = await cli(["--version"]);
  assert.deepEqual(version, { code: 0, stdout: `wasmrun ${denoJson.version}\n`, stderr: "" });
  for (
    const args of [["--help"], ["-h"], ["help"], ["exec", "--help"], ["--dir", "x", "--help"], [
      "help",
      "exec",
    ]]
  ) {
    const r = await cli(args);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^(wasmrun: run|Usage: wasmrun)/);
  }
  assert.match((await cli(["exec", "-h"])).stdout, /--dir HOST\[::GUEST\]\[:ro\]/);
  assert.match((await cli(["inspect", "--help"])).stdout, /^Usage: wasmrun inspect/);
  assert.match((await cli(["validate", "--help"])).stdout, /^Usage: wasmrun validate/);
  assert.match((await cli(["help", "inspect"])).stdout, /--json/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, "");
  assert.match(none.stderr, /^wasmrun: run WebAssembly programs/);
});

Deno.test("validate: 0 and silent for a valid module, 1 with the CompileError otherwise", async () => {
  for (const [, engine] of ENGINES) {
    assert.deepEqual(await cli(["validate", `${FIX}fs_tour.wasm`], { engine }), {
      code: 0,
      stdout: "",
      stderr: "",
    });
    const tmp = Deno.makeTempFileSync({ suffix: ".wasm" });
    // A function whose body returns an i64 where its type promises an i32.
    Deno.writeFileSync(
      tmp,
      new Uint8Array([
        0,
        97,
        115,
        109,
        1,
        0,
        0,
        0,
        1,
        5,
        1,
        96,
        0,
        1,
        127,
        3,
        2,
        1,
        0,
        10,
        6,
        1,
        4,
        0,
        66,
        0,
        11,
      ]),
    );
    const r = await cli(["validate", tmp], { engine });
    Deno.removeSync(tmp);
    assert.ok(isOneLineError(r), r.stderr);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid module: /);
  }
});

Deno.test("inspect: imports, exports with types, memories, tables, globals, sections, features", async () => {
  const r = await cli(["inspect", `${FIX}features.wasm`]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  for (
    const line of [
      "imports (1):",
      "  global env.counter: mut i32",
      "  func   pair: () -> (i32, i64)",
      "  memory memory: 1 pages min, no max",
      "functions: 0 imported, 6 defined (66 bytes of code)",
      "  1: externref, 1 elements min, no max",
      "  0: mut i32 (imported)",
      "start function: none",
      "custom sections: name (92 bytes)",
      "features: multi-value, mutable-globals, sign-extension, nontrapping-float-to-int, bulk-memory, " +
      "reference-types, simd",
    ]
  ) assert.ok(r.stdout.includes(line + "\n"), `missing ${JSON.stringify(line)} in\n${r.stdout}`);
  assert.match(r.stdout, /\n {2}code\s+offset 0x[0-9a-f]+\s+66 bytes\n/);

  const mvp = await cli(["inspect", `${FIX}trap.wasm`]);
  assert.match(mvp.stdout, /features: none beyond the MVP\n/);
  assert.match(mvp.stdout, /func {3}wasi_snapshot_preview1\.fd_write: \(i32, i32, i32, i32\) -> \(i32\)\n/);

  const json = JSON.parse((await cli(["inspect", "--json", `${FIX}reactor.wasm`])).stdout);
  assert.equal(json.size, Deno.statSync(`${FIX}reactor.wasm`).size);
  assert.deepEqual(json.exports.find((e: { name: string }) => e.name === "pair"), {
    name: "pair",
    index: 6,
    kind: "func",
    type: { params: ["i32"], results: ["i32", "i64"] },
  });
  assert.deepEqual(json.memories, [{ index: 0, imported: false, min: 1 }]);
  assert.deepEqual(json.globals, [
    { index: 0, imported: false, type: "i32", mutable: true },
    { index: 1, imported: false, type: "i32", mutable: false },
  ]);
  assert.deepEqual(json.features, ["multi-value"]);
  assert.deepEqual(json.sections.map((s: { name: string }) => s.name), [
    "type",
    "function",
    "memory",
    "global",
    "export",
    "code",
    "name",
  ]);
  const text = await cli(["inspect", `${FIX}reactor.wat`]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^\S*reactor\.wat: WebAssembly text,/);
});
