/**
 * What `bench/real/exceptions.ts` runs: the package (clingo-wasm, the clingo 5.8.1 answer-set solver, C++,
 * built by Emscripten with `-fwasm-exceptions`: legacy exception handling, a tag section of two tags,
 * 0 for setjmp/longjmp (`__c_longjmp`, used by the Lua it embeds) and 1 for C++ exceptions
 * (`__cpp_exception`), as `--prove` shows), the cases given to its `Runner.run`, and how their
 * results are compared.
 */
import type { Program } from "./programs.ts";

/** The npm package, pinned like the programs of bench/real/programs.ts (fetched by cache.ts). */
export const CLINGO: Program = {
  name: "clingo",
  what: "clingo's own JS glue (dist/run.js over Emscripten's dist/clingo.js) solving and rejecting programs",
  package: "clingo-wasm",
  version: "0.6.0",
  integrity:
    "sha512-W9SeUtT726D/LMA/qwhsU/H0/f27QX7lTcUqGMgA8MSRZZYx97Y/B4D20ZS2wfgHwgvZPE8nbPgI0W8PEM6toQ==",
  wasm: "package/dist/clingo.wasm",
  argv0: "clingo",
  args: [],
  check: () => undefined,
};

/**
 * The five `throw` instructions of the pinned clingo.wasm (byte offsets in the file, from
 * `wasm-objdump -d`; the module's other 220 `catch`, 4,353 `catch_all`, 3,762 `rethrow` and 1,960
 * `delegate` need no patching to prove anything). `--prove` replaces those of one tag by
 * `unreachable; nop` (the same two bytes' length) to show which cases throw it.
 */
export const THROW_SITES: { offset: number; tag: number }[] = [
  { offset: 0x004f43, tag: 1 },
  { offset: 0x00ddf1, tag: 1 },
  { offset: 0x018192, tag: 0 },
  { offset: 0x0332e3, tag: 0 },
  { offset: 0x0c030e, tag: 1 },
];

export interface Case {
  name: string;
  /** What it exercises. */
  what: string;
  program: string;
  /** Models to compute (0: all). */
  models: number;
  options: string[];
  /** The tags it throws (checked by `--prove`): 1 for C++ exceptions, 0 for longjmp. */
  throws: number[];
}

/** Run in this order on one instance, so the later ones also show it survives the exceptions before. */
export const CASES: Case[] = [
  {
    name: "choice",
    what: "two answer sets, no error",
    program: "a :- not b. b :- not a.",
    models: 0,
    options: [],
    throws: [],
  },
  {
    name: "syntax-error",
    what: "the parser's error, thrown as a C++ exception and caught by clasp's application",
    program: "a :- b.\nb :-",
    models: 1,
    options: [],
    throws: [1],
  },
  {
    name: "missing-include",
    what: "an #include of a file that does not exist",
    program: 'a. #include "no_such_file.lp".',
    models: 1,
    options: [],
    throws: [1],
  },
  {
    name: "unknown-option",
    what: "a command-line option clingo does not know (program_opts throws)",
    program: "a.",
    models: 1,
    options: ["--no-such-option"],
    throws: [1],
  },
  {
    name: "no-python",
    what: "a #script (python) in a build without Python: a fatal error",
    program: "#script (python)\ndef f(): return 7\n#end.\np(@f()).",
    models: 1,
    options: [],
    throws: [1],
  },
  {
    name: "lua-pcall",
    what: "Lua's error() caught by pcall in an embedded script (setjmp/longjmp as wasm exceptions)",
    program: [
      "#script (lua)",
      'function f() local ok, e = pcall(error, "boom") if ok then return 1 end return clingo.String(e) end',
      "#end.",
      "p(@f()).",
    ].join("\n"),
    models: 1,
    options: [],
    throws: [0],
  },
  {
    name: "undefined-arith",
    what: "an undefined operation (1/0): an info message, no error",
    program: "p(X) :- X = 1/0. q(1..3).",
    models: 1,
    options: [],
    throws: [],
  },
  {
    name: "unsat",
    what: "an unsatisfiable program",
    program: "a. :- a.",
    models: 1,
    options: [],
    throws: [],
  },
  {
    name: "optimize",
    what: "a minimization: the optimum and its cost",
    program: "{ x(1..6) }. :- not 3 { x(I) }. #minimize { I*I,I : x(I) }.",
    models: 0,
    options: [],
    throws: [],
  },
  {
    name: "queens-8",
    what: "all 92 solutions of 8 queens (the solver's own work, for the timing)",
    program: [
      "n(1..8).",
      "1 { q(X,Y) : n(Y) } 1 :- n(X).",
      ":- q(X,Y), q(X2,Y), X < X2.",
      ":- q(X,Y), q(X2,Y2), X < X2, X2 - X = |Y2 - Y|.",
      "#show q/2.",
    ].join("\n"),
    models: 0,
    options: [],
    throws: [],
  },
  {
    name: "syntax-error-again",
    what: "the parser's error once more, after everything above",
    program: "p(.",
    models: 1,
    options: [],
    throws: [1],
  },
];

/** A run's result without what depends on the clock (the `Time` fields), as JSON text. */
export function normalize(result: unknown): string {
  return JSON.stringify(
    result,
    (key, value) => (key === "Time" || key === "Start" || key === "Stop") ? undefined : value,
  );
}

export interface CaseResult {
  name: string;
  /** Milliseconds of `Runner.run`. */
  ms: number;
  /** `normalize` of what it returned. */
  output: string;
}

/** What one engine's child process reports. */
export interface ChildResult {
  engine: string;
  /** Milliseconds of `Runner.init`: Emscripten's glue reading, compiling and instantiating the module. */
  initMs: number;
  /** Milliseconds of all the cases' `Runner.run`, added up. */
  runMs: number;
  cases: CaseResult[];
  /** Why the run stopped early (instantiation failed, say). */
  error?: string;
}
