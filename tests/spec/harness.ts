/**
 * Runs the official spec tests (wabt `wast2json` output) against any object with the WebAssembly JS API,
 * so the same runner checks V8's built-in engine and ours. Binary modules only: text-format modules are
 * counted as skipped (and SIMD files, when asked to leave them out).
 */
import { describe, describeJs, describeRaw, matchesJs, matchesRaw, type SpecValue, toJs } from "./values.ts";
import { callThroughBridge, needsBridge, resultSlot } from "./simd_bridge.ts";
import { missingPrerequisite } from "./prerequisites.ts";

export type ErrorClass = abstract new (...args: never[]) => Error;

/** The part of the WebAssembly namespace the runner uses; `globalThis.WebAssembly` fits it. */
export interface WasmApi {
  // deno-lint-ignore no-explicit-any
  Module: new (bytes: any) => object;
  // deno-lint-ignore no-explicit-any
  Instance: new (module: any, imports?: any, options?: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => object;
  Table: new (descriptor: { element: "anyfunc"; initial: number; maximum?: number }) => object;
  Global: new (
    descriptor: { value: "i32" | "i64" | "f32" | "f64"; mutable?: boolean },
    value?: unknown,
  ) => object;
  CompileError: ErrorClass;
  LinkError: ErrorClass;
  RuntimeError: ErrorClass;
  /** `WebAssembly.validate`, where the engine has it. */
  // deno-lint-ignore no-explicit-any
  validate?: (bytes: any) => boolean;
}

export interface RunOptions {
  /** Run `simd_*` files (the default); with `false` their commands count as skipped. */
  simd?: boolean;
  /** Also accept RangeError for assert_exhaustion: V8 reports stack overflow that way. */
  exhaustionRangeError?: boolean;
  /**
   * Assertions ("file:line") this engine is known to fail for a stated reason; they count as `deviations`
   * instead of failures, whether they fail this run or not (so that the pinned counts do not depend
   * on it). For reference engines (V8), and for a limit of ours that the host imposes and that is
   * listed with its reason in tests/spec_test.ts.
   */
  knownDeviations?: ReadonlyMap<string, string>;
  /** Failures kept per file for the report; all are counted. */
  maxFailuresPerFile?: number;
  /** Extra argument for every `new Instance` (ours: engine options such as `{ jit: false }`). */
  instanceOptions?: object;
  /**
   * Check the message of every expected error whose kind is listed here (see MESSAGE_CHECKED_COMMANDS),
   * not only its class: it must start with the spec's text (the reference interpreter's rule). Empty or
   * absent: classes only (for V8, whose messages are its own).
   */
  checkMessages?: ReadonlySet<string>;
  /**
   * Assertions ("file:line") whose message may differ from the spec's text, with the exact message this
   * engine gives instead. A listed assertion passes only with exactly that message; it is reported in
   * `messageExceptions`.
   */
  messageExceptions?: ReadonlyMap<string, string>;
}

/**
 * The commands whose expected error carries a message worth comparing: the traps (a RuntimeError at
 * run time or while instantiating) and the refusals of bad modules (CompileError). Not
 * assert_unlinkable: the JS API has its own LinkError wording ("import … expected a function").
 */
export const MESSAGE_CHECKED_COMMANDS: ReadonlySet<string> = new Set([
  "assert_trap",
  "assert_exhaustion",
  "assert_uninstantiable",
  "assert_invalid",
  "assert_malformed",
]);

/** The rule: the engine's message starts with the spec's text (as the reference interpreter checks). */
export function messageMatches(actual: string, expected: string): boolean {
  return actual.startsWith(expected);
}

/** An assertion that passed with a message other than the spec's, because it is listed as an exception. */
export interface MessageException {
  file: string;
  line: number;
  command: string;
  expected: string;
  actual: string;
}

export interface Failure {
  file: string;
  line: number;
  command: string;
  reason: string;
}

export interface FileReport {
  file: string;
  passed: number;
  failed: number;
  skippedText: number;
  skippedSimd: number;
  deviations: number;
  failures: Failure[];
  /** Passed assertions whose error message was compared with the spec's text, per command type. */
  messagesChecked: Record<string, number>;
  /** Passed assertions whose message differs from the spec's, as listed in `messageExceptions`. */
  messageExceptions: MessageException[];
}

/** Where the suite lives: ../shared beside the repository root. */
export const defaultSpecRoot = new URL("../../../shared/spec/wasm-2.0-json/", import.meta.url);

export function isSimdFile(file: string): boolean {
  return file.startsWith("simd_");
}

/** Spec file names (e.g. "address"), sorted; empty when the folder is absent. */
export function listSpecFiles(root: URL = defaultSpecRoot): string[] {
  try {
    return [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * The spec files, for a test module: when the suite is missing, says so once per run, or with CI=true
 * registers a failing test (spec/prerequisites.ts), so a run without it is never silently green. Call at
 * module load.
 */
export function specFilesForTests(): string[] {
  const files = listSpecFiles();
  if (files.length === 0) {
    missingPrerequisite(
      `the spec suite (${defaultSpecRoot.pathname})`,
      "the spec, validator-spec and malformed-input tests",
      "it comes with the project's ../shared folder",
    );
  }
  return files;
}

/** The `spectest` host module every spec file may import, built from the engine under test. */
export function makeSpectest(api: WasmApi): Record<string, unknown> {
  return {
    print: () => {},
    print_i32: (_: number) => {},
    print_i64: (_: bigint) => {},
    print_f32: (_: number) => {},
    print_f64: (_: number) => {},
    print_i32_f32: (_a: number, _b: number) => {},
    print_f64_f64: (_a: number, _b: number) => {},
    global_i32: new api.Global({ value: "i32", mutable: false }, 666),
    global_i64: new api.Global({ value: "i64", mutable: false }, 666n),
    global_f32: new api.Global({ value: "f32", mutable: false }, 666.6),
    global_f64: new api.Global({ value: "f64", mutable: false }, 666.6),
    table: new api.Table({ element: "anyfunc", initial: 10, maximum: 20 }),
    memory: new api.Memory({ initial: 1, maximum: 2 }),
  };
}

interface Action {
  type: "invoke" | "get";
  module?: string;
  field: string;
  args?: SpecValue[];
}

interface Command {
  type: string;
  line: number;
  filename?: string;
  module_type?: string;
  name?: string;
  as?: string;
  text?: string;
  action?: Action;
  expected?: SpecValue[];
}

function isTextModule(cmd: Command): boolean {
  return cmd.module_type === "text" || (cmd.filename?.endsWith(".wat") ?? false);
}

/** A problem of the test setup (e.g. the module under test never instantiated), not an engine result. */
class SetupProblem extends Error {}

export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 200);
  return `non-Error thrown: ${describeJs(e)}`.slice(0, 200);
}

type Outcome = { js: unknown } | { raw: DataView };

/** State of one spec file: instances by name, registered import namespaces, the current module. */
class FileRun {
  private current?: { exports: Record<string, unknown> };
  private readonly named = new Map<string, { exports: Record<string, unknown> }>();
  private readonly registry = new Map<string, unknown>();
  /** Unknown namespaces read as empty objects, so a missing import is a LinkError rather than a TypeError. */
  private readonly imports = new Proxy({}, {
    get: (_target, key) => typeof key === "string" ? this.registry.get(key) ?? {} : undefined,
  });

  constructor(
    private readonly api: WasmApi,
    private readonly file: string,
    private readonly dir: URL,
    private readonly opts: RunOptions,
    private readonly report: FileReport,
  ) {
    this.registry.set("spectest", makeSpectest(api));
  }

  /** Runs one command; returns null when it passed, else why it failed. */
  execute(cmd: Command): string | null {
    switch (cmd.type) {
      case "module":
        return this.module(cmd);
      case "register": {
        const instance = cmd.name ? this.named.get(cmd.name) : this.current;
        if (!instance) return `no module ${cmd.name ?? "(current)"} to register`;
        this.registry.set(cmd.as!, instance.exports);
        return null;
      }
      case "action":
        return this.expectNoThrow(() => this.perform(cmd));
      case "assert_return":
        return this.assertReturn(cmd);
      case "assert_trap":
        return this.expectThrow(() => this.perform(cmd), [this.api.RuntimeError], cmd);
      case "assert_exhaustion": {
        const accepted: ErrorClass[] = [this.api.RuntimeError];
        if (this.opts.exhaustionRangeError) accepted.push(RangeError);
        return this.expectThrow(() => this.perform(cmd), accepted, cmd);
      }
      case "assert_invalid":
      case "assert_malformed":
        return this.expectThrow(() => this.compile(cmd), [this.api.CompileError], cmd);
      case "assert_unlinkable":
      case "assert_uninstantiable": {
        let module: object;
        try {
          module = this.compile(cmd);
        } catch (e) {
          return `compile failed: ${describeError(e)}`;
        }
        const expected = cmd.type === "assert_unlinkable" ? this.api.LinkError : this.api.RuntimeError;
        return this.expectThrow(
          () => new this.api.Instance(module, this.imports, this.opts.instanceOptions),
          [expected],
          cmd,
        );
      }
    }
    return `unknown command type ${cmd.type}`;
  }

  private compile(cmd: Command): object {
    const bytes = Deno.readFileSync(new URL(cmd.filename!, this.dir));
    return new this.api.Module(bytes);
  }

  private module(cmd: Command): string | null {
    this.current = undefined;
    let instance;
    try {
      instance = new this.api.Instance(this.compile(cmd), this.imports, this.opts.instanceOptions);
    } catch (e) {
      return `module ${cmd.filename} failed: ${describeError(e)}`;
    }
    this.current = instance;
    if (cmd.name) this.named.set(cmd.name, instance);
    return null;
  }

  private perform(cmd: Command): Outcome {
    const action = cmd.action!;
    const instance = action.module ? this.named.get(action.module) : this.current;
    if (!instance) throw new SetupProblem(`no module instance ${action.module ?? "(current)"}`);
    const target = instance.exports[action.field];
    if (action.type === "get") {
      if (target === undefined) throw new SetupProblem(`no export ${action.field}`);
      return { js: (target as { value: unknown }).value };
    }
    if (typeof target !== "function") throw new SetupProblem(`export ${action.field} is not a function`);
    const args = action.args ?? [];
    const resultTypes = (cmd.expected ?? []).map((v) => v.type);
    if (needsBridge(args, resultTypes)) {
      return { raw: callThroughBridge(this.api, target, args, resultTypes, this.opts.instanceOptions) };
    }
    return { js: target(...args.map(toJs)) };
  }

  private assertReturn(cmd: Command): string | null {
    let outcome: Outcome;
    try {
      outcome = this.perform(cmd);
    } catch (e) {
      return e instanceof SetupProblem ? e.message : `threw ${describeError(e)}`;
    }
    const expected = cmd.expected ?? [];
    if ("raw" in outcome) {
      const view = outcome.raw;
      const ok = expected.every((v, j) => matchesRaw(v, view, j * resultSlot));
      if (ok) return null;
      const got = expected.map((v, j) => describeRaw(v.type, view, j * resultSlot));
      return `expected ${expected.map(describe).join(", ")}; got ${got.join(", ")}`;
    }
    const result = outcome.js;
    let actual: unknown[];
    if (expected.length === 0) actual = result === undefined ? [] : [result];
    else if (expected.length === 1) actual = [result];
    else actual = Array.isArray(result) ? result : [result];
    const ok = actual.length === expected.length && expected.every((v, j) => matchesJs(v, actual[j]));
    if (ok) return null;
    return `expected ${expected.map(describe).join(", ") || "nothing"}; got ${
      actual.map(describeJs).join(", ")
    }`;
  }

  private expectNoThrow(run: () => unknown): string | null {
    try {
      run();
      return null;
    } catch (e) {
      return e instanceof SetupProblem ? e.message : `threw ${describeError(e)}`;
    }
  }

  private expectThrow(run: () => unknown, accepted: ErrorClass[], cmd: Command): string | null {
    const want = `${accepted.map((c) => c.name).join(" or ")} (${cmd.text ?? "?"})`;
    try {
      run();
    } catch (e) {
      if (e instanceof SetupProblem) return e.message;
      if (!accepted.some((c) => e instanceof c)) return `expected ${want}, got ${describeError(e)}`;
      return this.checkMessage(cmd, e as Error);
    }
    return `expected ${want}, nothing thrown`;
  }

  /** With `checkMessages`, the error's message against the spec's text (or the listed exception). */
  private checkMessage(cmd: Command, e: Error): string | null {
    // V8 reports stack exhaustion as a RangeError of its own: only its class is checked.
    if (!this.opts.checkMessages?.has(cmd.type) || e instanceof RangeError) return null;
    const expected = cmd.text ?? "";
    const actual = String(e.message);
    const listed = this.opts.messageExceptions?.get(`${this.file}:${cmd.line}`);
    if (listed !== undefined) {
      if (actual !== listed) {
        return `listed message exception: expected exactly ${JSON.stringify(listed)} (the spec says ` +
          `${JSON.stringify(expected)}), got ${JSON.stringify(actual)}`;
      }
      this.report.messageExceptions.push({
        file: this.file,
        line: cmd.line,
        command: cmd.type,
        expected,
        actual,
      });
    } else if (!messageMatches(actual, expected)) {
      return `message ${JSON.stringify(actual)} does not start with the spec's ${JSON.stringify(expected)}`;
    }
    this.report.messagesChecked[cmd.type] = (this.report.messagesChecked[cmd.type] ?? 0) + 1;
    return null;
  }
}

/** Runs every command of one spec file and counts the results. */
export function runSpecFile(
  api: WasmApi,
  file: string,
  opts: RunOptions = {},
  root = defaultSpecRoot,
): FileReport {
  const dir = new URL(`${file}/`, root);
  const commands: Command[] = JSON.parse(Deno.readTextFileSync(new URL(`${file}.json`, dir))).commands;
  const report: FileReport = {
    file,
    passed: 0,
    failed: 0,
    skippedText: 0,
    skippedSimd: 0,
    deviations: 0,
    failures: [],
    messagesChecked: {},
    messageExceptions: [],
  };
  const skipAll = isSimdFile(file) && opts.simd === false;
  const keep = opts.maxFailuresPerFile ?? 20;
  const run = skipAll ? undefined : new FileRun(api, file, dir, opts, report);
  for (const cmd of commands) {
    if (isTextModule(cmd)) report.skippedText++;
    else if (!run) report.skippedSimd++;
    else {
      let reason: string | null;
      try {
        reason = run.execute(cmd);
      } catch (e) {
        reason = `harness error: ${describeError(e)}`;
      }
      if (opts.knownDeviations?.has(`${file}:${cmd.line}`)) report.deviations++;
      else if (reason === null) report.passed++;
      else {
        report.failed++;
        if (report.failures.length < keep) {
          report.failures.push({ file, line: cmd.line, command: cmd.type, reason });
        }
      }
    }
  }
  return report;
}

export interface Totals {
  passed: number;
  failed: number;
  skippedText: number;
  skippedSimd: number;
  deviations: number;
}

export function totals(reports: FileReport[]): Totals {
  const t: Totals = { passed: 0, failed: 0, skippedText: 0, skippedSimd: 0, deviations: 0 };
  for (const r of reports) {
    t.passed += r.passed;
    t.failed += r.failed;
    t.skippedText += r.skippedText;
    t.skippedSimd += r.skippedSimd;
    t.deviations += r.deviations;
  }
  return t;
}

function counts(c: Totals): string {
  const n = (x: number) => String(x).padStart(5);
  const known = c.deviations ? `  known ${n(c.deviations)}` : "";
  return `pass ${n(c.passed)}  fail ${n(c.failed)}  skip ${n(c.skippedText + c.skippedSimd)}${known}`;
}

/** One line per file, a total, the skipped files, then failure details (at most `maxDetails`). */
export function formatReports(reports: FileReport[], maxDetails = 50): string[] {
  const width = Math.max(...reports.map((r) => r.file.length), 5);
  const lines = reports.map((r) => `${r.file.padEnd(width)}  ${counts(r)}${r.failed ? "  FAILED" : ""}`);
  const t = totals(reports);
  lines.push(`${"TOTAL".padEnd(width)}  ${counts(t)}`);
  const simd = reports.filter((r) => r.skippedSimd > 0);
  if (simd.length) {
    lines.push(
      `skipped SIMD: ${t.skippedSimd} commands in ${simd.length} files: ${simd.map((r) => r.file).join(" ")}`,
    );
  }
  const text = reports.filter((r) => r.skippedText > 0);
  if (text.length) {
    const list = text.map((r) => `${r.file}(${r.skippedText})`).join(" ");
    lines.push(`skipped text-format: ${t.skippedText} commands in ${text.length} files: ${list}`);
  }
  return [...lines, ...formatFailures(reports, maxDetails)];
}

/** "file.wast:line command: reason" for the first `maxDetails` failures, then how many more there are. */
export function formatFailures(reports: FileReport[], maxDetails = 50): string[] {
  const failures = reports.flatMap((r) => r.failures);
  const lines = failures.slice(0, maxDetails).map((f) =>
    `  ${f.file}.wast:${f.line} ${f.command}: ${f.reason}`
  );
  const hidden = totals(reports).failed - lines.length;
  if (hidden > 0) lines.push(`  ... ${hidden} more failures`);
  return lines;
}

/** Whether the SIMD files run: yes unless WASMRUN_SPEC_SIMD=0 leaves them out. */
export function simdRequested(): boolean {
  return Deno.env.get("WASMRUN_SPEC_SIMD") !== "0";
}

/**
 * The engine to test: "v8" is Deno's built-in WebAssembly, "wasmrun" ours from mod.ts. Loading ours never
 * falls back to V8: a missing mod.ts or export is an error.
 */
export async function loadEngine(name: string): Promise<WasmApi> {
  if (name === "v8") return globalThis.WebAssembly;
  if (name !== "wasmrun") throw new Error(`unknown engine ${name} (use v8 or wasmrun)`);
  // A computed specifier keeps type checking independent of whether mod.ts exists yet.
  const url = new URL("../../mod.ts", import.meta.url).href;
  let mod: { WebAssembly?: WasmApi };
  try {
    mod = await import(url);
  } catch (e) {
    throw new Error(`cannot load the wasmrun engine from ${url}: ${describeError(e)}`);
  }
  if (!mod.WebAssembly) throw new Error(`${url} does not export WebAssembly`);
  return mod.WebAssembly;
}
