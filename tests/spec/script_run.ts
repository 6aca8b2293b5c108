/**
 * Runs the commands of one spec script (the model of src/text/wast_types.ts, whether it came from a
 * `.wast` file through our parser or from wabt's JSON, see json_script.ts) against any object with the
 * WebAssembly JS API, so the same runner checks V8's built-in engine and ours.
 */
import type {
  WastAction,
  WastCommand,
  WastExpected,
  WastModuleSource,
  WastValue,
} from "../../src/text/wast_types.ts";
import {
  CannotRun,
  describe,
  describeJs,
  describeRaw,
  inexpressible,
  matchesJs,
  matchesRaw,
  RAW_SIZE,
  type RefProbe,
  toJs,
} from "./values.ts";
import { callThroughBridge, needsBridge, resultSlot } from "./simd_bridge.ts";
import { refProbe } from "./ref_probe.ts";
import { exportedSignatures, type Signature } from "./signatures.ts";
import { callExnBridge, exnBridgeFits } from "./exn_bridge.ts";
import { describeError, type ErrorClass, makeSpectest, type TextParser, type WasmApi } from "./engine_api.ts";
import { emptyReport, type FileReport, messageMatches, type RunOptions } from "./report.ts";

/** A problem of the test setup (e.g. the module under test never instantiated), not an engine result. */
class SetupProblem extends Error {}

type Outcome = { js: unknown } | { raw: DataView };
type Instance = { exports: Record<string, unknown> };

/** The expected results' types, for the SIMD bridge (the alternatives of an `either` share theirs). */
function resultTypes(expected: WastExpected[]): string[] {
  return expected.map((e) => e.type === "either" ? (e as { values: WastValue[] }).values[0].type : e.type);
}

function alternatives(e: WastExpected): WastValue[] {
  return e.type === "either" ? (e as { values: WastValue[] }).values : [e as WastValue];
}

function describeExpected(e: WastExpected): string {
  const all = alternatives(e);
  return all.length === 1 ? describe(all[0]) : `either(${all.map(describe).join(" | ")})`;
}

/**
 * A float result expected to be a NaN: a JS number may not carry its bits (V8 canonicalises on the way
 * out), so the call goes through the bridge, which reads them from memory and tells `nan:canonical`
 * from `nan:arithmetic` and from a given payload.
 */
function isNanResult(v: WastValue): boolean {
  if (v.type !== "f32" && v.type !== "f64") return false;
  return typeof v.value === "string" && (v.value.startsWith("nan:") || Number.isNaN(toJs(v)));
}

/** Whether a command's module is quoted text (made by our parser when the command runs). */
export function isQuoted(cmd: WastCommand): boolean {
  return "module" in cmd && typeof cmd.module === "object" && cmd.module.kind === "quote";
}

/** State of one script: instances by name, definitions, registered import namespaces, the current one. */
export class ScriptRun {
  private current?: Instance;
  /** Why the current module is missing, for the commands that needed it. */
  private missing = "no module yet";
  private readonly named = new Map<string, Instance>();
  private readonly definitions = new Map<string, object>();
  private lastDefinition?: object;
  private readonly registry = new Map<string, unknown>();
  /** Unknown namespaces read as empty objects, so a missing import is a LinkError rather than a TypeError. */
  private readonly imports = new Proxy({}, {
    get: (_target, key) => typeof key === "string" ? this.registry.get(key) ?? {} : undefined,
  });
  private readonly probe: RefProbe;
  /** The signatures of the exported functions, per module and instance (read from the binary). */
  private readonly signatures = new WeakMap<object, Map<string, Signature> | undefined>();

  constructor(
    private readonly api: WasmApi,
    private readonly file: string,
    private readonly opts: RunOptions,
    private readonly report: FileReport,
  ) {
    this.registry.set("spectest", makeSpectest(api));
    this.probe = refProbe(api);
  }

  /** Runs one command; returns null when it passed, else why it failed. Throws CannotRun. */
  execute(cmd: WastCommand): string | null {
    switch (cmd.type) {
      case "module":
        return this.module(cmd.module, cmd.name, cmd.definition ?? false, cmd.line);
      case "module_instance":
        return this.moduleInstance(cmd.instance, cmd.module, cmd.line);
      case "register": {
        const instance = cmd.name ? this.named.get(cmd.name) : this.current;
        if (!instance) return `no module ${cmd.name ?? "(current)"} to register`;
        this.registry.set(cmd.as, instance.exports);
        return null;
      }
      case "action":
        return this.expectNoThrow(() => this.perform(cmd.action, []));
      case "assert_return":
        return this.assertReturn(cmd.action, cmd.expected);
      case "assert_trap":
        return this.expectThrow(() => this.perform(cmd.action, []), [this.api.RuntimeError], cmd);
      case "assert_exhaustion": {
        const accepted: ErrorClass[] = [this.api.RuntimeError];
        if (this.opts.exhaustionRangeError) accepted.push(RangeError);
        return this.expectThrow(() => this.perform(cmd.action, []), accepted, cmd);
      }
      case "assert_exception":
        return this.assertException(cmd);
      case "assert_invalid":
        return this.assertRefused(cmd, cmd.module);
      case "assert_malformed":
        if (cmd.module.kind === "quote") return this.assertMalformedText(cmd, cmd.module.text);
        return this.assertRefused(cmd, cmd.module);
      case "assert_unlinkable":
      case "assert_uninstantiable": {
        let module: object;
        try {
          module = this.compile(cmd.module);
        } catch (e) {
          return `compile failed: ${describeError(e)}`;
        }
        const expected = cmd.type === "assert_unlinkable" ? this.api.LinkError : this.api.RuntimeError;
        return this.expectThrow(() => this.instantiate(module), [expected], cmd);
      }
    }
    return `unknown command type ${(cmd as { type: string }).type}`;
  }

  private text(): TextParser {
    if (!this.opts.text) throw new Error("a quoted module without a text parser"); // filtered before
    return this.opts.text;
  }

  private compile(source: WastModuleSource): object {
    const bytes = source.kind === "binary" ? source.bytes : this.text().parseWat(source.text);
    const module = new this.api.Module(bytes);
    this.signatures.set(module, exportedSignatures(bytes));
    return module;
  }

  private instantiate(module: object): Instance {
    const instance = new this.api.Instance(module, this.imports, this.opts.instanceOptions);
    this.signatures.set(instance, this.signatures.get(module));
    return instance;
  }

  private module(source: WastModuleSource, name: string | undefined, definition: boolean, line: number) {
    let module: object;
    try {
      module = this.compile(source);
    } catch (e) {
      if (!definition) this.forgetCurrent(line);
      return `module failed to compile: ${describeError(e)}`;
    }
    if (definition) {
      this.lastDefinition = module;
      if (name) this.definitions.set(name, module);
      return null;
    }
    return this.becomeCurrent(module, name, line);
  }

  private moduleInstance(instance: string | undefined, moduleName: string | undefined, line: number) {
    const module = moduleName ? this.definitions.get(moduleName) : this.lastDefinition;
    if (!module) {
      this.forgetCurrent(line);
      return `no module definition ${moduleName ?? "(last)"}`;
    }
    return this.becomeCurrent(module, instance, line);
  }

  private becomeCurrent(module: object, name: string | undefined, line: number): string | null {
    let instance: Instance;
    try {
      instance = this.instantiate(module);
    } catch (e) {
      this.forgetCurrent(line);
      return `module failed to instantiate: ${describeError(e)}`;
    }
    this.current = instance;
    if (name) this.named.set(name, instance);
    return null;
  }

  private forgetCurrent(line: number): void {
    this.current = undefined;
    this.missing = `the module of line ${line} failed`;
  }

  private perform(action: WastAction, expected: WastExpected[]): Outcome {
    const instance = action.module ? this.named.get(action.module) : this.current;
    if (!instance) {
      throw new SetupProblem(`no module instance ${action.module ?? `(current: ${this.missing})`}`);
    }
    const target = instance.exports[action.field];
    if (action.type === "get") {
      if (target === undefined) throw new SetupProblem(`no export ${action.field}`);
      return { js: (target as { value: unknown }).value };
    }
    if (typeof target !== "function") throw new SetupProblem(`export ${action.field} is not a function`);
    const args = action.args;
    // A trap or a bare action names no result types; the binary says them.
    const signature = this.signatures.get(instance)?.get(action.field);
    const results = signature?.results ?? resultTypes(expected);
    const wanted = expected.flatMap(alternatives);
    if (signature && exnBridgeFits(signature) && wanted.every((v) => v.value === "null")) {
      // Only null expectations (or none, for a trap): the bridge answers whether the result is null.
      const jsArgs = args.map(toJs);
      return { js: callExnBridge(this.api, target, signature, jsArgs, this.opts.instanceOptions) };
    }
    for (const v of [...args, ...wanted]) {
      const why = inexpressible(v);
      if (why) throw new CannotRun(why);
    }
    if ([...signature?.params ?? [], ...results].includes("exnref")) {
      throw new CannotRun("the function's type has an exnref, which cannot cross the JS API");
    }
    if (needsBridge(args, results) || expected.flatMap(alternatives).some(isNanResult)) {
      const odd = [...args.map((a) => a.type), ...results].find((t) => !RAW_SIZE[t]);
      if (odd) throw new CannotRun(`the SIMD bridge cannot carry ${odd} beside v128 or NaN bits`);
      return { raw: callThroughBridge(this.api, target, args, results, this.opts.instanceOptions) };
    }
    const jsArgs = args.map(toJs);
    return { js: target(...jsArgs) };
  }

  private assertReturn(action: WastAction, expected: WastExpected[]): string | null {
    let outcome: Outcome;
    try {
      outcome = this.perform(action, expected);
    } catch (e) {
      if (e instanceof CannotRun) throw e;
      return e instanceof SetupProblem ? e.message : `threw ${describeError(e)}`;
    }
    const want = () => expected.map(describeExpected).join(", ") || "nothing";
    if ("raw" in outcome) {
      const view = outcome.raw;
      const ok = expected.every((e, j) => alternatives(e).some((v) => matchesRaw(v, view, j * resultSlot)));
      if (ok) return null;
      const got = resultTypes(expected).map((t, j) => describeRaw(t, view, j * resultSlot));
      return `expected ${want()}; got ${got.join(", ")}`;
    }
    const result = outcome.js;
    let actual: unknown[];
    if (expected.length === 0) actual = result === undefined ? [] : [result];
    else if (expected.length === 1) actual = [result];
    else actual = Array.isArray(result) ? result : [result];
    const ok = actual.length === expected.length &&
      expected.every((e, j) => alternatives(e).some((v) => matchesJs(v, actual[j], this.probe)));
    if (ok) return null;
    return `expected ${want()}; got ${actual.map(describeJs).join(", ")}`;
  }

  private expectNoThrow(run: () => unknown): string | null {
    try {
      run();
      return null;
    } catch (e) {
      if (e instanceof CannotRun) throw e;
      return e instanceof SetupProblem ? e.message : `threw ${describeError(e)}`;
    }
  }

  private expectThrow(run: () => unknown, accepted: ErrorClass[], cmd: WastCommand): string | null {
    const text = "text" in cmd ? cmd.text : undefined;
    const want = `${accepted.map((c) => c.name).join(" or ")}${text === undefined ? "" : ` (${text})`}`;
    try {
      run();
    } catch (e) {
      if (e instanceof SetupProblem || e instanceof CannotRun) throw e;
      if (!accepted.some((c) => e instanceof c)) return `expected ${want}, got ${describeError(e)}`;
      return this.checkMessage(cmd, e as Error);
    }
    return `expected ${want}, nothing thrown`;
  }

  /** The action throws a wasm exception: `WebAssembly.Exception` on an engine that has the class. */
  private assertException(cmd: WastCommand & { action: WastAction }): string | null {
    const Exception = this.api.Exception as ErrorClass | undefined;
    if (Exception) return this.expectThrow(() => this.perform(cmd.action, []), [Exception], cmd);
    try {
      this.perform(cmd.action, []);
    } catch (e) {
      if (e instanceof SetupProblem || e instanceof CannotRun) throw e;
      throw new CannotRun(
        `the engine has no WebAssembly.Exception to tell a wasm exception from ${describeError(e)}`,
      );
    }
    return "expected a wasm exception, nothing thrown";
  }

  /** assert_invalid, and assert_malformed of bytes: the engine refuses the module (a quote must parse). */
  private assertRefused(cmd: WastCommand, source: WastModuleSource): string | null {
    let bytes: Uint8Array | undefined = source.kind === "binary" ? source.bytes : undefined;
    if (source.kind === "quote") {
      try {
        bytes = this.text().parseWat(source.text);
      } catch (e) {
        return `our parser refused the text (the module should parse, then fail to validate): ${
          describeError(e)
        }`;
      }
    }
    return this.expectThrow(() => new this.api.Module(bytes), [this.api.CompileError], cmd);
  }

  /** assert_malformed of quoted text: our parser must refuse it, with its CompileError. */
  private assertMalformedText(cmd: WastCommand & { text: string }, text: string): string | null {
    const parser = this.text();
    let bytes: Uint8Array;
    try {
      bytes = parser.parseWat(text);
    } catch (e) {
      if (e instanceof parser.CompileError) {
        this.countParserMessage(cmd.text, e.message);
        return null;
      }
      return `expected our parser to throw CompileError (${cmd.text}), got ${describeError(e)}`;
    }
    let verdict = "the engine accepts the module";
    try {
      new this.api.Module(bytes);
    } catch (e) {
      verdict = `the engine refuses it: ${describeError(e)}`;
    }
    return `our parser accepted malformed text (${cmd.text}); ${verdict}`;
  }

  /**
   * Our parser's refusals are not held to the spec's text (the reference interpreter's wording of a
   * syntax error is its own), but how many start with it (after the `file:line:column:` prefix) is
   * counted (of all it refused), to follow the parser's diagnostics.
   */
  private countParserMessage(expected: string, message: string): void {
    const checked = this.report.messagesChecked;
    const count = (key: string) => checked[key] = (checked[key] ?? 0) + 1;
    count("assert_malformed (text), refused by our parser");
    if (messageMatches(message.replace(/^(?:[^:]*:)?\d+:\d+: /, ""), expected)) {
      count("assert_malformed (text), with the spec's message");
    }
  }

  /** With `checkMessages`, the error's message against the spec's text (or the listed exception). */
  private checkMessage(cmd: WastCommand, e: Error): string | null {
    // V8 reports stack exhaustion as a RangeError of its own: only its class is checked.
    if (!this.opts.checkMessages?.has(cmd.type) || e instanceof RangeError) return null;
    const expected = "text" in cmd ? cmd.text : "";
    const actual = String(e.message);
    const listed = this.opts.messageExceptions?.get(`${this.file}:${cmd.line}`);
    const specAfterAll = this.opts.exceptionMayMatchSpec && messageMatches(actual, expected);
    if (listed !== undefined && !specAfterAll) {
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

/** Listed as "file:line", or the whole file as "file:*" (a feature the engine lacks). */
export function isKnownDeviation(
  known: ReadonlyMap<string, string> | undefined,
  file: string,
  line: number,
): boolean {
  return known !== undefined && (known.has(`${file}:${line}`) || known.has(`${file}:*`));
}

/**
 * Runs every command of one script and counts the results into a report for `file` (the name the
 * known deviations and message exceptions use: "address", "legacy/throw").
 */
export function runScript(
  api: WasmApi,
  file: string,
  commands: WastCommand[],
  opts: RunOptions = {},
  skipAllAs?: "simd",
): FileReport {
  const report = emptyReport(file);
  const keep = opts.maxFailuresPerFile ?? 20;
  const run = skipAllAs ? undefined : new ScriptRun(api, file, opts, report);
  for (const cmd of commands) {
    if (isQuoted(cmd) && !opts.text) {
      report.skippedText++;
      continue;
    }
    if (!run) {
      report.skippedSimd++;
      continue;
    }
    let reason: string | null;
    try {
      reason = run.execute(cmd);
    } catch (e) {
      if (e instanceof CannotRun) {
        report.couldNotRun++;
        report.notRun.push({ file, line: cmd.line, command: cmd.type, reason: e.message });
        continue;
      }
      reason = e instanceof SetupProblem ? e.message : `harness error: ${describeError(e)}`;
    }
    if (isKnownDeviation(opts.knownDeviations, file, cmd.line)) {
      report.deviations++;
      if (reason === null) report.deviationsPassed.push(cmd.line);
    } else if (reason === null) report.passed++;
    else {
      report.failed++;
      if (report.failures.length < keep) {
        report.failures.push({ file, line: cmd.line, command: cmd.type, reason });
      }
    }
  }
  return report;
}
