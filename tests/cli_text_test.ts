/**
 * WebAssembly text on the command line (issue 13): a module may be text wherever one is expected, and
 * its content decides, not its name; `wasmrun print` and `wasmrun parse` convert between the formats.
 * In-process through `cli()`, and a few cases as a real process (permissions, pipes, a terminal).
 */
import assert from "node:assert/strict";
import { cli, ENGINES, FIX, isOneLineError } from "./cli_harness.ts";
import { skipIf } from "./skips.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** A WASI hello-world: one fd_write of a string in memory. */
const HELLO = `;; hello, in WebAssembly text
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from text\\n")
  (func (export "_start")
    ;; one iovec at 0: the 16 bytes at 16
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
`;

/** Malformed at line 3, column 6: the parser's message is the whole error. */
const BAD = "(module\n  (func\n    (i32.frob)))\n";

/** Well-formed text of an invalid module: the body leaves an i64 where an i32 is promised. */
const ILL_TYPED = '(module (func (export "f") (result i32) i64.const 0))';

/** A temporary directory holding `files`, passed to `body` and removed afterwards. */
async function withFiles(
  files: Record<string, string | Uint8Array>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-text-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      if (typeof content === "string") Deno.writeTextFileSync(`${dir}/${name}`, content);
      else Deno.writeFileSync(`${dir}/${name}`, content);
    }
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** `wasmrun parse` to a file, returning the bytes written. */
async function parseToBytes(dir: string, input: string): Promise<Uint8Array> {
  const r = await cli(["parse", input, "-o", `${dir}/parsed.wasm`]);
  assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
  return Deno.readFileSync(`${dir}/parsed.wasm`);
}

Deno.test("text: a .wat program runs, on both engines, with and without exec", async () => {
  await withFiles({ "hello.wat": HELLO }, async (dir) => {
    for (const [name, engine] of ENGINES) {
      for (const args of [[`${dir}/hello.wat`], ["exec", `${dir}/hello.wat`]]) {
        const r = await cli(args, { engine });
        assert.deepEqual(r, { code: 0, stdout: "hello from text\n", stderr: "" }, `${name}: ${args}`);
      }
    }
  });
});

Deno.test("text: the content decides, not the name", async () => {
  const binary = Deno.readFileSync(`${FIX}exit_code.wasm`);
  await withFiles({ "hello.wasm": HELLO, "hello": HELLO, "exit.wat": binary }, async (dir) => {
    for (const file of ["hello.wasm", "hello"]) {
      assert.deepEqual(await cli([`${dir}/${file}`]), { code: 0, stdout: "hello from text\n", stderr: "" });
    }
    // A binary named .wat is a binary.
    const r = await cli([`${dir}/exit.wat`, "7"]);
    assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 7, stderr: "" });
  });
});

Deno.test("text: inspect and validate read text; sizes are the binary's", async () => {
  await withFiles({ "hello.wat": HELLO, "ill.wat": ILL_TYPED }, async (dir) => {
    const binarySize = (await parseToBytes(dir, `${dir}/hello.wat`)).length;
    const r = await cli(["inspect", `${dir}/hello.wat`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`${dir}/hello.wat: WebAssembly text, ${binarySize} bytes as a binary\n`));
    assert.match(
      r.stdout,
      /\n {2}func {3}wasi_snapshot_preview1\.fd_write: \(i32, i32, i32, i32\) -> \(i32\)\n/,
    );
    assert.match(r.stdout, /\n {2}func {3}_start: \(\) -> \(\)\n/);
    const json = JSON.parse((await cli(["inspect", "--json", `${dir}/hello.wat`])).stdout);
    assert.deepEqual([json.format, json.size, json.exports.length], ["text", binarySize, 2]);
    const binJson = JSON.parse((await cli(["inspect", "--json", `${FIX}reactor.wasm`])).stdout);
    assert.equal(binJson.format, "binary");

    for (const [, engine] of ENGINES) {
      assert.deepEqual(await cli(["validate", `${dir}/hello.wat`], { engine }), {
        code: 0,
        stdout: "",
        stderr: "",
      });
      // Well-formed but invalid: the text parses, the engine rejects it as it would the binary.
      const ill = await cli(["validate", `${dir}/ill.wat`], { engine });
      assert.ok(isOneLineError(ill), JSON.stringify(ill));
      assert.equal(ill.code, 1);
      assert.match(ill.stderr, /^wasmrun: .*ill\.wat: invalid module: /);
    }
  });
});

Deno.test("text: malformed text is one line 'file:line:col: reason', exit 1, in every command", async () => {
  await withFiles({ "bad.wat": BAD, "bad.wasm": BAD }, async (dir) => {
    for (const file of [`${dir}/bad.wat`, `${dir}/bad.wasm`]) {
      const expected = `wasmrun: ${file}:3:6: unknown operator "i32.frob"\n`;
      for (
        const args of [[file], ["exec", file], ["inspect", file], ["validate", file], ["print", file], [
          "parse",
          file,
        ]]
      ) {
        const r = await cli(args);
        assert.deepEqual(r, { code: 1, stdout: "", stderr: expected }, args.join(" "));
      }
    }
  });
});

Deno.test("text: what is neither a binary nor text says so in one line", async () => {
  const random = new Uint8Array(256).map((_, i) => (i * 151 + 7) & 0xff); // no \0asm, not UTF-8
  await withFiles({
    "random.bin": random,
    "component.wat": ";; a component\n( component (core module))",
    "latin1.wat": new Uint8Array([
      ...new TextEncoder().encode('(module (@custom "x" "'),
      0xe9,
      0x22,
      0x29,
      0x29,
    ]),
    "notes.txt": "# not a module\n",
  }, async (dir) => {
    const cases: [string, RegExp][] = [
      ["random.bin", /random\.bin is not a WebAssembly module \(it does not start with \\0asm\)$/],
      ["notes.txt", /notes\.txt is not a WebAssembly module \(it does not start with \\0asm\)$/],
      [`${FIX}fs_tour.c`, /fs_tour\.c is not a WebAssembly module \(it does not start with \\0asm\)$/],
      ["component.wat", /component\.wat is a WebAssembly component, not a core module$/],
      ["latin1.wat", /latin1\.wat starts like WebAssembly text but is not valid UTF-8$/],
    ];
    for (const [file, message] of cases) {
      for (const command of ["exec", "inspect", "print", "parse"]) {
        const r = await cli([command, file.startsWith("/") ? file : `${dir}/${file}`]);
        assert.ok(isOneLineError(r), `${command} ${file}: ${JSON.stringify(r)}`);
        assert.equal(r.code, 1, `${command} ${file}`);
        assert.match(r.stderr.trimEnd(), message, `${command} ${file}`);
      }
    }
  });
});

Deno.test("text: blank lines, comments and a byte-order mark before the module are text", async () => {
  const bom = new Uint8Array([
    0xef,
    0xbb,
    0xbf,
    ...new TextEncoder().encode(`(; a (; nested ;) note ;)\n${HELLO}`),
  ]);
  await withFiles(
    { "bom.wat": bom, "fields.wat": '(func (export "f") (result i32) i32.const 42)' },
    async (dir) => {
      assert.equal((await cli([`${dir}/bom.wat`])).stdout, "hello from text\n");
      // A module's fields without the (module …) around them are a module too.
      assert.deepEqual(await cli(["--invoke", "f", `${dir}/fields.wat`]), {
        code: 0,
        stdout: "42\n",
        stderr: "",
      });
    },
  );
});

Deno.test("print: a binary as text, flat or folded; text input is parsed first", async () => {
  await withFiles({ "hello.wat": HELLO }, async (dir) => {
    const flat = await cli(["print", `${dir}/hello.wat`]);
    assert.equal(flat.code, 0, flat.stderr);
    assert.equal(flat.stderr, "");
    assert.match(flat.stdout, /^\(module\n/);
    assert.match(flat.stdout, /\n {4}i32\.const 16\n {4}i32\.store\n/);
    assert.match(flat.stdout, /\(import "wasi_snapshot_preview1" "fd_write" \(func \$fd_write /);
    const folded = await cli(["print", "--folded", `${dir}/hello.wat`]);
    assert.match(folded.stdout, /\n {4}\(i32\.store \(i32\.const 0\) \(i32\.const 16\)\)\n/);
    // Options may come after the module.
    assert.equal((await cli(["print", `${dir}/hello.wat`, "--folded"])).stdout, folded.stdout);
    const bin = await cli(["print", `${FIX}reactor.wasm`]);
    assert.equal(bin.code, 0, bin.stderr);
    assert.match(bin.stdout, /\(export "add" \(func /);
  });
});

Deno.test("print: a malformed binary is one line, exit 1", async () => {
  const truncated = Deno.readFileSync(`${FIX}reactor.wasm`).subarray(0, 30);
  await withFiles({ "trunc.wasm": truncated }, async (dir) => {
    const r = await cli(["print", `${dir}/trunc.wasm`]);
    assert.ok(isOneLineError(r), JSON.stringify(r));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /trunc\.wasm: invalid module: /);
  });
});

Deno.test("print and parse round-trip", async () => {
  await withFiles({ "hello.wat": HELLO }, async (dir) => {
    // Binaries built by clang: parse(print(x)) is x, byte for byte.
    for (const fixture of [`${FIX}exit_code.wasm`, `${FIX}fs_tour.wasm`]) {
      for (const flags of [[], ["--folded"]]) {
        const printed = await cli(["print", ...flags, fixture]);
        assert.equal(printed.code, 0, printed.stderr);
        Deno.writeTextFileSync(`${dir}/printed.wat`, printed.stdout);
        assert.deepEqual(await parseToBytes(dir, `${dir}/printed.wat`), Deno.readFileSync(fixture), fixture);
      }
    }
    // A module of wasmrun's own parser comes back the same through print and parse.
    const hello = await parseToBytes(dir, `${dir}/hello.wat`);
    Deno.writeFileSync(`${dir}/hello.wasm`, hello);
    Deno.writeTextFileSync(`${dir}/hello2.wat`, (await cli(["print", `${dir}/hello.wasm`])).stdout);
    assert.deepEqual(await parseToBytes(dir, `${dir}/hello2.wat`), hello);
    // wat2wasm's name sections may not come back byte for byte; what the module does must.
    Deno.writeTextFileSync(`${dir}/reactor.wat`, (await cli(["print", `${FIX}reactor.wasm`])).stdout);
    for (const file of [`${FIX}reactor.wasm`, `${dir}/reactor.wat`]) {
      assert.deepEqual(await cli(["--invoke", "add", file, "40", "2"]), {
        code: 0,
        stdout: "42\n",
        stderr: "",
      });
    }
  });
});

Deno.test("parse: a binary passes through; -o - and no -o write to stdout", async () => {
  await withFiles({ "hello.wat": HELLO }, async (dir) => {
    const expected = await parseToBytes(dir, `${dir}/hello.wat`);
    assert.deepEqual([...expected.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    for (const args of [["parse", `${dir}/hello.wat`], ["parse", "-o", "-", `${dir}/hello.wat`]]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
      // The harness keeps stdout as text; the subprocess test below compares the bytes themselves.
      assert.equal(r.stdout, new TextDecoder().decode(expected));
    }
    const passed = await parseToBytes(dir, `${FIX}exit_code.wasm`);
    assert.deepEqual(passed, Deno.readFileSync(`${FIX}exit_code.wasm`));
    // --output=FILE, the long spelling.
    assert.equal((await cli(["parse", `--output=${dir}/long.wasm`, `${dir}/hello.wat`])).code, 0);
    assert.deepEqual(Deno.readFileSync(`${dir}/long.wasm`), expected);
  });
});

Deno.test("parse -o: malformed text writes nothing, and leaves an existing file as it was", async () => {
  await withFiles({ "bad.wat": BAD, "old.wasm": "previous content" }, async (dir) => {
    const r = await cli(["parse", `${dir}/bad.wat`, "-o", `${dir}/new.wasm`]);
    assert.deepEqual(r, {
      code: 1,
      stdout: "",
      stderr: `wasmrun: ${dir}/bad.wat:3:6: unknown operator "i32.frob"\n`,
    });
    assert.throws(() => Deno.statSync(`${dir}/new.wasm`), Deno.errors.NotFound);
    assert.equal((await cli(["parse", `${dir}/bad.wat`, "-o", `${dir}/old.wasm`])).code, 1);
    assert.equal(Deno.readTextFileSync(`${dir}/old.wasm`), "previous content");
    const missing = await cli(["parse", `${dir}/nope.wat`, "-o", `${dir}/new.wasm`]);
    assert.ok(isOneLineError(missing) && /nope\.wat: no such file$/.test(missing.stderr.trimEnd()));
    assert.throws(() => Deno.statSync(`${dir}/new.wasm`), Deno.errors.NotFound);
  });
});

Deno.test("parse -o: an output that cannot be written is one line, exit 1", async () => {
  await withFiles({ "hello.wat": HELLO }, async (dir) => {
    const cases: [string, RegExp][] = [
      [`${dir}/no/such/dir.wasm`, /cannot write .*dir\.wasm: no such directory$/],
      [dir, /cannot write .*: it is a directory$/],
    ];
    for (const [output, message] of cases) {
      const r = await cli(["parse", `${dir}/hello.wat`, "-o", output]);
      assert.ok(isOneLineError(r), JSON.stringify(r));
      assert.equal(r.code, 1);
      assert.match(r.stderr.trimEnd(), message);
    }
  });
});

Deno.test("print and parse: usage errors are one line, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["print"], /missing module path \(usage: wasmrun print \[--folded\] <module\.wasm>\)$/],
    [["parse"], /missing module path \(usage: wasmrun parse \[-o FILE\] <module\.wat>\)$/],
    [["print", "--json", "a.wasm"], /unknown option --json for print \(see wasmrun print --help\)$/],
    [["parse", "--folded", "a.wat"], /unknown option --folded for parse/],
    [["print", "--folded=yes", "a.wasm"], /unknown option --folded=yes for print/],
    [["print", "a.wasm", "b.wasm"], /print takes one module, got extra argument "b\.wasm"$/],
    [["parse", "a.wat", "-o"], /-o needs a value$/],
    [["parse", "a.wat", "--output="], /--output needs a file name \(or - for stdout\)$/],
    [["parse", "-o", "x", "--output", "y", "a.wat"], /--output is given twice$/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.ok(isOneLineError(r), `${args.join(" ")}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr.trimEnd(), message, args.join(" "));
  }
  // After --, a name that looks like an option is the module.
  const dashed = await cli(["print", "--", "--folded"]);
  assert.match(dashed.stderr, /^wasmrun: --folded: no such file\n$/);
});

Deno.test("print and parse: help", async () => {
  const main = (await cli(["help"])).stdout;
  assert.match(main, /\n {2}wasmrun print \[--folded\] <module\.wasm> +print a module as WebAssembly text\n/);
  assert.match(
    main,
    /\n {2}wasmrun parse \[-o FILE\] <module\.wat> +turn WebAssembly text into a binary module\n/,
  );
  assert.match(
    main,
    /a file that starts with\n\\0asm is a binary, .* The content decides, not the file name\./,
  );
  for (const topic of ["print", "parse"]) {
    const viaHelp = await cli(["help", topic]);
    assert.equal(viaHelp.code, 0);
    assert.match(viaHelp.stdout, new RegExp(`^Usage: wasmrun ${topic} `));
    for (const flag of ["--help", "-h"]) assert.deepEqual(await cli([topic, flag, "x"]), viaHelp);
  }
  assert.match((await cli(["help", "print"])).stdout, /--folded/);
  assert.match((await cli(["help", "parse"])).stdout, /-o, --output FILE/);
});

/** wasmrun as a process, with the given Deno flags. */
async function wasmrun(flags: string[], args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...flags, `${ROOT}cli.ts`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("text in a subprocess: runs with read permission for the file only; parse to a pipe", async () => {
  await withFiles({ "hello.wat": HELLO, "bad.wat": BAD }, async (dir) => {
    const read = `--allow-read=${dir}`;
    const [run, piped, bad, noWrite] = await Promise.all([
      wasmrun([read], [`${dir}/hello.wat`]),
      wasmrun([read], ["parse", `${dir}/hello.wat`]),
      wasmrun([read], [`${dir}/bad.wat`]),
      wasmrun([read], ["parse", `${dir}/hello.wat`, "-o", `${dir}/out.wasm`]),
    ]);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    assert.deepEqual([run.code, text(run.stdout), text(run.stderr)], [0, "hello from text\n", ""]);
    assert.equal(piped.code, 0, text(piped.stderr));
    assert.deepEqual(piped.stdout, await parseToBytes(dir, `${dir}/hello.wat`));
    assert.deepEqual(
      [bad.code, text(bad.stdout), text(bad.stderr)],
      [1, "", `wasmrun: ${dir}/bad.wat:3:6: unknown operator "i32.frob"\n`],
    );
    assert.equal(noWrite.code, 1);
    assert.equal(
      text(noWrite.stderr),
      `wasmrun: cannot write ${dir}/out.wasm: Deno has no write permission for it ` +
        `(add --allow-write=${dir}/out.wasm)\n`,
    );
    assert.throws(() => Deno.statSync(`${dir}/out.wasm`), Deno.errors.NotFound);
  });
});

/** util-linux `script` gives a command a terminal for stdout. */
const haveScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "parse: refuses to write a binary to a terminal, in one line, exit 2",
  ignore: skipIf(
    !haveScript || Deno.build.os !== "linux",
    "the parse-to-a-terminal test",
    "it needs Linux and util-linux's script (Debian package bsdutils)",
  ),
  async fn() {
    await withFiles({ "hello.wat": HELLO }, async (dir) => {
      const command = `'${Deno.execPath()}' run --no-prompt --quiet --allow-read='${dir}' '${ROOT}cli.ts' ` +
        `parse '${dir}/hello.wat'`;
      const out = await new Deno.Command("script", {
        args: ["--quiet", "--return", "--command", command, "/dev/null"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const seen = new TextDecoder().decode(out.stdout).replaceAll("\r", "");
      assert.equal(out.code, 2, seen);
      assert.equal(
        seen,
        "wasmrun: will not write a binary module to a terminal: give -o FILE, or redirect stdout\n",
      );
    });
  },
});
