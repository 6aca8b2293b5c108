/**
 * The configurations tests/spec_wast_test.ts runs over the `.wast` scripts, and how one runs. Each runs
 * in a process of its own (wast_child.ts): several suites in one process exhaust V8's address space for
 * wasm memories now and then (a fatal "out of memory" of the whole test run), and code made hot by one
 * configuration changes what V8 optimises in the next. Our interpreter's f32/f64 `min`/`max` are
 * `Math.min`/`Math.max`, which V8's optimised code answers for a NaN operand with a NaN of all bits set
 * (0xffffffffffffffff), not a canonical one: a bug of src/interp/ops/ops_float.ts that shows once those
 * closures are hot. A process of its own gives each configuration the conditions of a run on its own.
 */
import { type FileReport, loadEngine, runSpecFile, specFilesForTests } from "./harness.ts";
import { MESSAGE_CHECKED_COMMANDS, type RunOptions } from "./report.ts";
import type { WasmApi } from "./engine_api.ts";
import { listWastFiles, loadWastParser, parseScript, runWastFile, type Suite } from "./wast_suite.ts";
import { exceptionMap, loadExceptions, loadExpectations } from "./expectations.ts";
import { v8Deviations, WASM3_IN_2_0 } from "./v8_deviations.ts";
import { JS_TIER_LIMITS } from "./wasmrun_limits.ts";
import { translateKeys } from "./line_map.ts";

export interface Config {
  label: string;
  engine: "v8" | "wasmrun";
  suite: Suite;
  /** Engine options for every instance (ours: the tier). */
  options?: object;
  /** Known deviations, in wabt's lines for 2.0 (translated to our parser's), file:line for 3.0. */
  deviations?: ReadonlyMap<string, string>;
  /** Compare messages with the spec's text (ours on 2.0, as tests/spec_test.ts does). */
  messages?: boolean;
  /**
   * Ours on 2.0: the variant of tests/spec/expected.json (the JSON suite's pinned counts on the same
   * tier) to compare with. Not a second run in the same process: code the first run made hot changes
   * what V8 optimises in the second (see wasmrun_limits.ts).
   */
  jsonVariant?: string;
}

export const CONFIGS: readonly Config[] = [
  {
    label: "v8 + our parser, wasm-2.0",
    engine: "v8",
    suite: "2.0",
    deviations: v8Deviations("2.0"),
  },
  { label: "v8 + our parser, wasm-3.0", engine: "v8", suite: "3.0", deviations: v8Deviations("3.0") },
  {
    label: "wasmrun JS tier + our parser, wasm-2.0",
    engine: "wasmrun",
    suite: "2.0",
    options: { tierUp: 0 },
    deviations: new Map([...JS_TIER_LIMITS, ...WASM3_IN_2_0]),
    messages: true,
    jsonVariant: "wasmrun, JS tier",
  },
  {
    label: "wasmrun interpreter + our parser, wasm-2.0",
    engine: "wasmrun",
    suite: "2.0",
    options: { jit: false },
    deviations: WASM3_IN_2_0,
    messages: true,
    jsonVariant: "wasmrun, interpreter",
  },
  {
    label: "wasmrun JS tier + our parser, wasm-3.0",
    engine: "wasmrun",
    suite: "3.0",
    options: { tierUp: 0 },
    deviations: JS_TIER_LIMITS, // the same lines in 3.0's float_misc.wast
  },
  {
    label: "wasmrun interpreter + our parser, wasm-3.0",
    engine: "wasmrun",
    suite: "3.0",
    options: { jit: false },
  },
];

/** What one configuration's run gives back (plain data: it crosses a process boundary as JSON). */
export interface ConfigResult {
  reports: FileReport[];
  /** The deviations as applied ("file:line" in our parser's lines) with their reasons. */
  deviations: [string, string][];
  /** 2.0: per script, how the run differs from the JSON suite's on the same engine (empty: target met). */
  gaps?: string[];
  /** Message exceptions of the list that were needed, and those where ours gave the spec's message. */
  messageExceptions?: { needed: number; listed: number; unneeded: string[] };
  /** Why our parser is missing, if it is. */
  parserMissing?: string;
  seconds: number;
}

/** One script's result from wabt's binaries: passed, text-format commands skipped, known deviations. */
interface JsonCounts {
  passed: number;
  skippedText: number;
  deviations?: number;
}

/**
 * For 2.0: per script, how the `.wast` run differs from the JSON suite's on the same engine and tier
 * (wabt's binaries), whose skipped text-format commands should pass here too. Empty: the target is met.
 */
function differencesFromJson(reports: FileReport[], json: Map<string, JsonCounts>): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const j = json.get(r.file);
    if (!j) continue;
    const target = j.passed + j.skippedText;
    if (r.passed !== target || (j.deviations !== undefined && r.deviations !== j.deviations)) {
      lines.push(
        `${r.file}: ${r.passed} passed (target ${target}: ${j.passed} from wabt's binaries + ` +
          `${j.skippedText} text-format), ${r.failed} failed, ${r.couldNotRun} could not run` +
          (r.parseError ? `; could not parse: ${r.parseError}` : ""),
      );
    }
  }
  return lines;
}

/** The JSON suite's counts for the comparison: pinned for ours, run now for V8. */
function jsonCounts(config: Config, api: WasmApi, opts: RunOptions): Map<string, JsonCounts> {
  if (config.jsonVariant) {
    const pinned = loadExpectations().variants[config.jsonVariant]?.files ?? {};
    return new Map(
      Object.entries(pinned).map(([file, c]) => [file, { passed: c.passed, skippedText: c.skipped }]),
    );
  }
  const reports = specFilesForTests().map((file) =>
    runSpecFile(api, file, { ...opts, knownDeviations: config.deviations, checkMessages: undefined })
  );
  return new Map(reports.map((r) => [r.file, r]));
}

/** Runs one configuration in this process. */
export async function runConfig(config: Config): Promise<ConfigResult> {
  const api = await loadEngine(config.engine);
  const parser = await loadWastParser();
  const start = performance.now();
  // The 2.0 lists are in wabt's lines; our parser's commands give the translation (line_map.ts).
  const ours = (file: string) => {
    const parsed = parseScript(parser, config.suite, file);
    return "commands" in parsed ? parsed.commands : undefined;
  };
  const translate = <T>(keys: ReadonlyMap<string, T>) =>
    config.suite === "2.0" ? translateKeys(keys, ours) : new Map(keys);
  const deviations = config.deviations && translate(config.deviations);
  const listed = config.messages ? translate(exceptionMap(loadExceptions())) : undefined;
  const opts: RunOptions = {
    exhaustionRangeError: config.engine === "v8",
    instanceOptions: config.options,
    knownDeviations: deviations,
    checkMessages: config.messages ? MESSAGE_CHECKED_COMMANDS : undefined,
    messageExceptions: listed,
    exceptionMayMatchSpec: true,
  };
  const reports = listWastFiles(config.suite).map((file) =>
    runWastFile(api, parser, config.suite, file, opts)
  );
  const result: ConfigResult = {
    reports,
    deviations: [...deviations ?? []],
    parserMissing: typeof parser === "string" ? parser : undefined,
    seconds: (performance.now() - start) / 1000,
  };
  if (config.suite === "2.0") result.gaps = differencesFromJson(reports, jsonCounts(config, api, opts));
  if (listed) {
    // The list was written for wabt's binaries: with ours, some modules give the spec's message.
    const hit = new Set(reports.flatMap((r) => r.messageExceptions.map((x) => `${x.file}:${x.line}`)));
    const unneeded = [...listed.keys()].filter((at) => !hit.has(at));
    result.messageExceptions = { needed: hit.size, listed: listed.size, unneeded };
  }
  return result;
}
