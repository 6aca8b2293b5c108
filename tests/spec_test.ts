/**
 * Spec conformance: every binary-format command of the official Wasm 2.0 suite (../shared/spec) must pass
 * on wasmrun's engine, the simd_* files included (WASMRUN_SPEC_SIMD=0 leaves them out). Only text-format
 * modules are counted as skipped. WASMRUN_TEST_ENGINE=v8 runs the same on Deno's built-in engine. Both
 * engines follow Wasm 3.0 where it reverses 19 assertions of 2.0 (tests/spec/v8_deviations.ts `WASM3_IN_2_0`,
 * counted as known deviations). For details:
 * deno run -A tests/spec/run.ts.
 *
 * On wasmrun, beyond the class of each expected error, its message must start with the spec's text (the
 * reference interpreter's rule) for traps (assert_trap, assert_exhaustion, assert_uninstantiable) and
 * refused modules (assert_invalid, assert_malformed), except the assertions listed, with the exact message
 * we give and a reason, in tests/spec/message_exceptions.json.
 *
 * The counts are pinned in tests/spec/expected.json (per file and variant, and the JS tier's compiled
 * functions): any change fails, improvements too; `WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_test.ts`
 * rewrites the file on purpose (see tests/spec/expectations.ts).
 */
import assert from "node:assert/strict";
import {
  defaultSpecRoot,
  type FileReport,
  formatFailures,
  formatReports,
  loadEngine,
  MESSAGE_CHECKED_COMMANDS,
  messageMatches,
  runSpecFile,
  simdRequested,
  specFilesForTests,
  totals,
} from "./spec/harness.ts";
import {
  differences,
  exceptionMap,
  loadExceptions,
  loadExpectations,
  type ModuleCounts,
  saveExpectations,
  UPDATE_HINT,
  updating,
  variantOf,
} from "./spec/expectations.ts";
import { JS_TIER_LIMITS } from "./spec/wasmrun_limits.ts";
import { WASM3_IN_2_0 } from "./spec/v8_deviations.ts";
import { jitCounts, jitFailures } from "../src/engine/tiering.ts";

const ENGINE = Deno.env.get("WASMRUN_TEST_ENGINE") ?? "wasmrun";
const files = specFilesForTests();
/** The configuration expected.json describes: our engine, SIMD files included. Others are not pinned. */
const PINNED = ENGINE === "wasmrun" && simdRequested();
if (updating && !PINNED) {
  throw new Error("WASMRUN_SPEC_UPDATE=1 needs the pinned configuration: wasmrun, SIMD files included");
}
const notPinned = () =>
  console.log(
    `counts not compared with tests/spec/expected.json (engine ${ENGINE}, SIMD ${simdRequested()})`,
  );

/**
 * Ours runs twice: with the JS tier taking every function at its first call (`tierUp: 0`; every
 * function compiled to JS, SIMD included) and with `jit: false`, the threaded-code interpreter alone
 * (which also runs whatever the JS tier leaves out).
 */
const variants: { label: string; options?: object; limits?: ReadonlyMap<string, string> }[] = ENGINE === "v8"
  ? [{ label: "v8" }]
  : [{
    label: "wasmrun, JS tier",
    options: { tierUp: 0 },
    limits: new Map([...JS_TIER_LIMITS, ...WASM3_IN_2_0]),
  }, {
    label: "wasmrun, interpreter",
    options: { jit: false },
    limits: WASM3_IN_2_0,
  }];

const listed = ENGINE === "wasmrun" ? loadExceptions() : [];

/** The message exceptions that were hit, one line each, and a check that every listed one was. */
function reportExceptions(reports: FileReport[]): string[] {
  const hit = reports.flatMap((r) => r.messageExceptions);
  const lines = [
    `message exceptions (tests/spec/message_exceptions.json): ${hit.length} of ${listed.length}`,
  ];
  for (const x of hit) {
    const entry = listed.find((l) => l.at === `${x.file}.wast:${x.line}`);
    lines.push(
      `  ${x.file}.wast:${x.line} ${x.command} [${entry?.status}]: spec "${x.expected}", ours "${x.actual}"`,
    );
  }
  return lines;
}

for (const variant of variants) {
  Deno.test({
    name: `spec suite wasm-2.0 (${variant.label})`,
    ignore: files.length === 0,
    async fn() {
      // Loading ours fails loudly when mod.ts or its WebAssembly export is missing: no silent fallback to V8.
      const api = await loadEngine(ENGINE);
      const simd = simdRequested();
      const failuresBefore = jitFailures.length;
      const compiledBefore = jitCounts.compiled, unsupportedBefore = jitCounts.unsupported;
      const reports = files.map((file) =>
        runSpecFile(api, file, {
          simd,
          exhaustionRangeError: ENGINE === "v8",
          instanceOptions: variant.options,
          knownDeviations: variant.limits,
          checkMessages: ENGINE === "wasmrun" ? MESSAGE_CHECKED_COMMANDS : undefined,
          messageExceptions: exceptionMap(listed),
        })
      );
      console.log(formatReports(reports, 50).join("\n"));
      for (const [at, why] of variant.limits ?? []) {
        console.log(`known limit, not counted as passed: ${at}: ${why}`);
      }
      const t = totals(reports);
      assert.ok(t.passed > 0, "no spec assertion ran");
      assert.equal(t.deviations, variant.limits?.size ?? 0, "every listed limit is an assertion that ran");
      if (simd) assert.equal(t.skippedSimd, 0, "SIMD commands were skipped");
      // The details go into the message too: `deno test --quiet` hides console output even on failure.
      const details = formatFailures(reports, 20).join("\n");
      assert.equal(t.failed, 0, `${t.failed} spec assertions failed (${t.passed} passed):\n${details}`);
      // A function the JS tier failed to compile would have passed on the interpreter: not good enough.
      const failed = jitFailures.slice(failuresBefore).map((f) => `function ${f.index}: ${f.error}`);
      assert.deepEqual(failed, [], "the JS tier failed to compile some functions");
      const compiled = jitCounts.compiled - compiledBefore;
      const unsupported = jitCounts.unsupported - unsupportedBefore;
      console.log(
        `functions compiled to JS: ${compiled} (left to the interpreter by design: ${unsupported})`,
      );
      if (variant.label.endsWith("interpreter")) {
        assert.equal(compiled, 0, "jit: false still compiled functions to JS");
      }
      if (ENGINE !== "wasmrun") return;

      const actual = variantOf(reports, compiled, unsupported);
      const checked = Object.entries(actual.messagesChecked).map(([k, n]) => `${k} ${n}`).join(", ");
      console.log(`error messages compared with the spec's text: ${checked}`);
      console.log(reportExceptions(reports).join("\n"));
      // Every listed exception must still be needed, in every variant.
      const hit = new Set(reports.flatMap((r) => r.messageExceptions.map((x) => `${x.file}.wast:${x.line}`)));
      const stale = listed.filter((l) => simd || !l.at.startsWith("simd_")).filter((l) => !hit.has(l.at));
      assert.deepEqual(
        stale.map((l) => l.at),
        [],
        "listed message exceptions no longer hit: remove them from tests/spec/message_exceptions.json",
      );

      if (!PINNED) return notPinned();
      if (updating) {
        saveExpectations((e) => (e.variants[variant.label] = actual));
        console.log(`tests/spec/expected.json: "${variant.label}" rewritten`);
        return;
      }
      const pinned = loadExpectations().variants[variant.label];
      const diff = pinned ? differences(pinned, actual) : [`variant "${variant.label}" is not pinned`];
      assert.deepEqual(
        diff,
        [],
        `the spec results differ from tests/spec/expected.json ("${variant.label}"):\n  ` +
          `${diff.slice(0, 40).join("\n  ")}\n${UPDATE_HINT}`,
      );
      console.log(`counts match tests/spec/expected.json ("${variant.label}")`);
    },
  });
}

interface Command {
  type: string;
  line: number;
  filename?: string;
  text?: string;
  module_type?: string;
}

/** Commands whose module must decode and validate. */
const MUST_ACCEPT = new Set(["module", "assert_unlinkable", "assert_uninstantiable", "assert_trap"]);
/** Commands whose module must be refused at compile time. */
const MUST_REFUSE = new Set(["assert_invalid", "assert_malformed"]);

Deno.test({
  name: "spec modules: decoded and validated or refused, counts pinned per file",
  // Our decoder and validator; V8 follows Wasm 3.0 on some modules (see tests/spec/run.ts).
  ignore: files.length === 0 || ENGINE !== "wasmrun",
  async fn() {
    const api = await loadEngine(ENGINE);
    const counts: Record<string, ModuleCounts> = {};
    let textSkipped = 0;
    const wrong: string[] = [];
    for (const file of files) {
      const dir = new URL(`${file}/`, defaultSpecRoot);
      const c: ModuleCounts = { accepted: 0, refused: 0, specMessage: 0 };
      for (
        const cmd of JSON.parse(Deno.readTextFileSync(new URL(`${file}.json`, dir))).commands as Command[]
      ) {
        if (!cmd.filename || !(MUST_ACCEPT.has(cmd.type) || MUST_REFUSE.has(cmd.type))) continue;
        if (cmd.module_type === "text" || !cmd.filename.endsWith(".wasm")) {
          textSkipped++;
          continue;
        }
        const where = `${file}.wast:${cmd.line} ${cmd.type}`;
        // Wasm 3.0 accepts what these 2.0 assertions refuse (multiple memories, extended const).
        const reversed = MUST_REFUSE.has(cmd.type) && WASM3_IN_2_0.has(`${file}:${cmd.line}`);
        let error: unknown;
        try {
          new api.Module(Deno.readFileSync(new URL(cmd.filename, dir)));
        } catch (e) {
          error = e ?? new Error("thrown: undefined");
        }
        if (MUST_ACCEPT.has(cmd.type) || reversed) {
          if (error === undefined) c.accepted++;
          else wrong.push(`${where}: refused${reversed ? " (Wasm 3.0 accepts it)" : ""}: ${error}`);
        } else if (error === undefined) {
          wrong.push(`${where}: accepted (expected "${cmd.text}")`);
        } else if (!(error instanceof api.CompileError)) {
          wrong.push(`${where}: threw ${error} instead of a CompileError`);
        } else {
          c.refused++;
          if (messageMatches((error as Error).message, cmd.text ?? "")) c.specMessage++;
        }
      }
      if (c.accepted + c.refused > 0) counts[file] = c;
    }
    const sum = (k: keyof ModuleCounts) => Object.values(counts).reduce((n, c) => n + c[k], 0);
    console.log(
      `spec modules: ${sum("accepted")} accepted, ${
        sum("refused")
      } refused as expected, ${wrong.length} wrong, ` +
        `${textSkipped} text modules skipped; ${sum("specMessage")}/${
          sum("refused")
        } refusals use the spec's message`,
    );
    assert.deepEqual(wrong.slice(0, 50), [], `${wrong.length} spec modules were judged wrongly`);
    const actual = { textSkipped, files: counts };
    if (updating) {
      saveExpectations((e) => (e.modules = actual));
      console.log(`tests/spec/expected.json: "modules" rewritten`);
      return;
    }
    const diff = differences(loadExpectations().modules, actual);
    assert.deepEqual(
      diff,
      [],
      `the module counts differ from tests/spec/expected.json ("modules"):\n  ${
        diff.slice(0, 40).join("\n  ")
      }\n` +
        UPDATE_HINT,
    );
  },
});
