/**
 * The help texts against the parser, both ways. The options a parser accepts are taken from the
 * parser itself: every option literal in its source (src/cli/args.ts) that it does not answer with
 * "unknown option" must be in that command's help; and every option a help text lists must be
 * one the parser accepts. A flag added to the parser without help, or help for a flag that does
 * not exist, fails here.
 */
import assert from "node:assert/strict";
import { parseCommandLine, type Topic, UsageError } from "../src/cli/args.ts";
import { helpText } from "../src/cli/help.ts";
import { cli } from "./cli_harness.ts";

const ARGS_SOURCE = Deno.readTextFileSync(new URL("../src/cli/args.ts", import.meta.url));

/** The source of top-level function `name` in args.ts, up to the next top-level declaration. */
function functionSource(name: string): string {
  const start = ARGS_SOURCE.search(new RegExp(`^(export )?function ${name}\\(`, "m"));
  assert.ok(start >= 0, `args.ts has no function ${name}`);
  const rest = ARGS_SOURCE.slice(start + 1);
  const end = rest.search(/^(export |const |function |class |interface |type )/m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The option-like string literals of a function: "--dir", "-c", … */
function optionLiterals(source: string): string[] {
  return [...new Set([...source.matchAll(/"(--?[A-Za-z][\w-]*)"/g)].map((m) => m[1]))];
}

/** Whether `argv` gets past the parser's option check (a bad value or a missing module is fine). */
function accepted(argv: string[]): boolean {
  try {
    parseCommandLine(argv);
    return true;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return !/unknown option/.test(err.message);
  }
}

/** How to try `option` on a command: it first, then a value or module, then a module. */
const COMMANDS: { topic: Topic; fn: string; argv: (option: string) => string[] }[] = [
  { topic: "exec", fn: "parseExec", argv: (o) => ["exec", o, "1", "m.wasm"] },
  { topic: "inspect", fn: "parseInspectOrValidate", argv: (o) => ["inspect", o, "m.wasm"] },
  { topic: "validate", fn: "parseInspectOrValidate", argv: (o) => ["validate", o, "m.wasm"] },
  { topic: "print", fn: "parseConversion", argv: (o) => ["print", o, "m.wasm"] },
  { topic: "parse", fn: "parseConversion", argv: (o) => ["parse", o, "m.wat"] },
];

/** The options an option line of a help text starts with: `  -o, --output FILE  …` → -o, --output. */
function helpOptions(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split("\n")) {
    const head = /^ {2}(-[^ ].*?)(?: {2,}|$)/.exec(line)?.[1];
    if (head === undefined) continue;
    for (const m of head.matchAll(/(?:^|[\s,])(--?[A-Za-z][\w-]*)/g)) found.push(m[1]);
  }
  return found;
}

Deno.test("every option a command's parser accepts is in that command's help", () => {
  for (const { topic, fn, argv } of COMMANDS) {
    const literals = optionLiterals(functionSource(fn));
    assert.ok(literals.length >= 2, `${fn}: found ${literals}`);
    const help = helpText(topic);
    for (const option of literals.filter((o) => accepted(argv(o)))) {
      assert.match(
        help,
        new RegExp(`(^|[\\s,\\[|])${option}(?![\\w-])`, "m"),
        `${topic} --help lacks ${option}`,
      );
    }
  }
  // The exec parser really has the flags this test is about, so an empty scan cannot pass.
  const exec = optionLiterals(functionSource("parseExec"));
  for (const flag of ["--dir", "--no-default-dir", "--engine", "--invoke", "--fuel"]) {
    assert.ok(exec.includes(flag));
  }
  // The top level: -h/--help and -V/--version.
  for (const option of optionLiterals(functionSource("parseCommandLine"))) {
    assert.ok(accepted([option]), option);
    assert.match(
      helpText("main"),
      new RegExp(`(^|[\\s,'])${option}(?![\\w-])`, "m"),
      `main help lacks ${option}`,
    );
  }
});

Deno.test("every option a help text lists is accepted by that command's parser", () => {
  for (const { topic, argv } of COMMANDS) {
    const listed = helpOptions(helpText(topic));
    assert.ok(listed.includes("--help"), `${topic}: ${listed}`);
    for (const option of listed) {
      assert.ok(accepted(argv(option)), `${topic} --help lists ${option}, unknown to the parser`);
    }
  }
  // And the check can fail: an option no parser has is refused.
  assert.equal(accepted(["exec", "--no-such-flag", "m.wasm"]), false);
  assert.equal(accepted(["print", "--json", "m.wasm"]), false);
});

Deno.test("help names what the program does: the engine, the default directory, '-' for stdin, --engine", async () => {
  const main = (await cli(["--help"])).stdout;
  assert.match(main.split("\n")[0], /engine written in TypeScript/);
  assert.doesNotMatch(main, /on an interpreter written in TypeScript/);
  assert.match(main, /'-' reads the module from stdin/);
  const exec = (await cli(["exec", "--help"])).stdout;
  assert.match(exec, /Without --dir, the current directory is given as '\.'/);
  assert.match(exec, /--engine wasmrun\|v8/);
  assert.equal((await cli(["help", "run"])).stdout, exec);
  for (const topic of ["inspect", "validate", "print", "parse"]) {
    const r = await cli([topic, "--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, helpText(topic as Topic) + "\n");
  }
});
