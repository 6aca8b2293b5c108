/**
 * How a spec script runs (RunOptions) and what it gives (FileReport): shared by the JSON runner
 * (harness.ts), the `.wast` runner (wast_suite.ts) and the tests that pin their counts.
 */
import type { TextParser } from "./engine_api.ts";

export interface RunOptions {
  /** Run `simd_*` files (the default); with `false` their commands count as skipped. */
  simd?: boolean;
  /** Also accept RangeError for assert_exhaustion: V8 reports stack overflow that way. */
  exhaustionRangeError?: boolean;
  /**
   * Assertions ("file:line", or "file:*" for all of a file) this engine is known to fail for a stated
   * reason; they count as `deviations` instead of failures, whether they fail this run or not (so that
   * the pinned counts do not depend on it). For reference engines (V8, tests/spec/v8_deviations.ts), and
   * for a limit of ours that the host imposes, listed with its reason (tests/spec/wasmrun_limits.ts).
   */
  knownDeviations?: ReadonlyMap<string, string>;
  /** Failures kept per file for the report; all are counted. */
  maxFailuresPerFile?: number;
  /** Extra argument for every `new Instance` (ours: engine options such as `{ jit: false }`). */
  instanceOptions?: object;
  /**
   * Check the message of every expected error whose kind is listed here (see MESSAGE_CHECKED_COMMANDS),
   * not only its class: it must start with the spec's text (the reference interpreter's rule). Empty or
   * absent: classes only (for V8, whose messages are its own). Never for our text parser's refusals.
   */
  checkMessages?: ReadonlySet<string>;
  /**
   * Assertions ("file:line") whose message may differ from the spec's text, with the exact message this
   * engine gives instead. A listed assertion passes only with exactly that message; it is reported in
   * `messageExceptions`.
   */
  messageExceptions?: ReadonlyMap<string, string>;
  /**
   * A listed exception also passes with the spec's message. For modules made by another encoder than
   * the one the list was written for (wabt's): ours may encode an invalid module so that the engine
   * finds the defect the spec names first.
   */
  exceptionMayMatchSpec?: boolean;
  /**
   * Makes `(module quote …)` modules. Without it, commands with a quoted module count as `skippedText`
   * (the JSON suite's `.wat` files, for a binary-only run).
   */
  text?: TextParser;
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
  /** Lines of known deviations that passed all the same (an entry to review). */
  deviationsPassed: number[];
  /** Commands the harness cannot express (e.g. an exnref crossing the JS API), all listed in `notRun`. */
  couldNotRun: number;
  /** The script could not be parsed (so none of its commands ran): the parser's error. */
  parseError?: string;
  failures: Failure[];
  notRun: Failure[];
  /** Passed assertions whose error message was compared with the spec's text, per command type. */
  messagesChecked: Record<string, number>;
  /** Passed assertions whose message differs from the spec's, as listed in `messageExceptions`. */
  messageExceptions: MessageException[];
}

export function emptyReport(file: string): FileReport {
  return {
    file,
    passed: 0,
    failed: 0,
    skippedText: 0,
    skippedSimd: 0,
    deviations: 0,
    deviationsPassed: [],
    couldNotRun: 0,
    failures: [],
    notRun: [],
    messagesChecked: {},
    messageExceptions: [],
  };
}
