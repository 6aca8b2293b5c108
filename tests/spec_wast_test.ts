/**
 * The `.wast` spec scripts themselves (../shared/spec/wasm-2.0 and wasm-3.0, `legacy/` included), every
 * module made by our text parser (`parseWast`, src/text/wast.ts), in two configurations:
 *
 * - **V8 + our parser**: Deno's built-in engine runs what our parser made, so the parser is judged by an
 *   engine that is not ours. For 2.0 the reference is wabt's binaries (the JSON suite run on V8): every
 *   command it passes, plus the text-format commands it skipped, should pass here; the differences are
 *   printed. What V8 itself does otherwise is listed in tests/spec/v8_deviations.ts.
 * - **wasmrun + our parser**: 2.0 on both tiers (with the message checks of tests/spec_test.ts; compared,
 *   file by file, with the JSON suite run on the same tier), 3.0 on both tiers (GC included), every
 *   assertion passing but the JS tier's four signalling-NaN ones of float_misc (known deviations).
 *
 * Each configuration runs in a process of its own (tests/spec/wast_configs.ts says why). Counts per
 * script are pinned in tests/spec/wast_expected.json (any change fails, improvements too;
 * `WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_wast_test.ts` rewrites it), and printed per feature
 * with every command that could not run and every script that could not be parsed. Details of
 * failures: `deno run -A tests/spec/run.ts --wast [--suite 3.0] [--engine wasmrun]`.
 */
import assert from "node:assert/strict";
import {
  defaultSpecRoot,
  type FileReport,
  formatFailures,
  formatReports,
  specFilesForTests,
  totals,
} from "./spec/harness.ts";
import { runScript } from "./spec/script_run.ts";
import { emptyReport } from "./spec/report.ts";
import { SELF_TEST } from "./spec/self_check.ts";
import {
  formatFeatures,
  listWastFiles,
  loadWastParser,
  parseScript,
  type Suite,
  wastRoot,
} from "./spec/wast_suite.ts";
import {
  configOf,
  loadWastExpectations,
  saveWastConfig,
  WAST_UPDATE_HINT,
} from "./spec/wast_expectations.ts";
import { differences, updating } from "./spec/expectations.ts";
import { missingPrerequisite } from "./spec/prerequisites.ts";
import { compareModels } from "./spec/model_compare.ts";
import { readJsonScript } from "./spec/json_script.ts";
import { type ConfigResult, CONFIGS } from "./spec/wast_configs.ts";

const scripts: Record<Suite, string[]> = { "2.0": listWastFiles("2.0"), "3.0": listWastFiles("3.0") };
for (const suite of ["2.0", "3.0"] as Suite[]) {
  if (scripts[suite].length === 0) {
    missingPrerequisite(
      `the .wast spec scripts (${wastRoot(suite).pathname})`,
      `the wasm-${suite} .wast runner tests`,
      "they come with the project's ../shared folder",
    );
  }
}
/** The JSON suite, for the 2.0 comparisons (its absence is reported by harness.ts). */
const jsonFiles = specFilesForTests();

/** Compares with the pinned record of `label`, or rewrites it when updating. */
function checkPinned(label: string, reports: FileReport[], context: () => string): void {
  const actual = configOf(reports);
  if (updating) {
    saveWastConfig(label, actual);
    console.log(`tests/spec/wast_expected.json: "${label}" rewritten`);
    return;
  }
  const pinned = loadWastExpectations().configs[label];
  const diff = pinned ? differences(pinned, actual) : [`"${label}" is not pinned`];
  assert.deepEqual(
    diff,
    [],
    `the results differ from tests/spec/wast_expected.json ("${label}"):\n  ${
      diff.slice(0, 40).join("\n  ")
    }\n` +
      `${WAST_UPDATE_HINT}\n${context()}`,
  );
  console.log(`counts match tests/spec/wast_expected.json ("${label}")`);
}

/** Runs configuration `index` in a child process (tests/spec/wast_child.ts). */
async function runInChild(index: number): Promise<ConfigResult> {
  const child = new URL("./spec/wast_child.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", child.pathname, String(index)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`the child process failed (status ${out.code}):\n${stderr.slice(-3000)}`);
  if (stderr.trim()) console.log(stderr.trim());
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/**
 * The children, two at a time (this machine has two cores), started when the first test asks, so that
 * a run filtered to other tests starts none.
 */
let started: Promise<ConfigResult>[] | undefined;
function resultOf(index: number): Promise<ConfigResult> {
  if (!started) {
    const slots: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
    started = CONFIGS.map((config, i) => {
      if (scripts[config.suite].length === 0) return Promise.reject(new Error("not run"));
      const run = slots[i % 2].then(() => runInChild(i));
      slots[i % 2] = run.catch(() => {});
      return run;
    });
    started.forEach((p) => p.catch(() => {})); // each test reports its own child's failure
  }
  return started[index];
}

CONFIGS.forEach((config, index) => {
  Deno.test({
    name: `spec .wast scripts: ${config.label}`,
    ignore: scripts[config.suite].length === 0,
    async fn() {
      const result = await resultOf(index);
      const reports = result.reports;
      console.log(formatReports(reports, 30).join("\n"));
      console.log(formatFeatures(config.suite, reports).join("\n"));
      for (const [at, why] of result.deviations) console.log(`known deviation: ${at}: ${why}`);
      const passing = reports.flatMap((r) => r.deviationsPassed.map((line) => `${r.file}:${line}`));
      if (passing.length) console.log(`listed as deviations but passing now: ${passing.join(" ")}`);
      console.log(`${config.label}: ${reports.length} scripts in ${result.seconds.toFixed(1)} s`);
      if (result.parserMissing) console.log(`NOTE: ${result.parserMissing}: no script could be parsed`);
      if (result.gaps) {
        console.log(
          result.gaps.length === 0
            ? "target met: every command passed from wabt's binaries, and every text-format one, passes"
            : `target not met in ${result.gaps.length} scripts (vs the JSON suite on the same engine):\n  ` +
              result.gaps.join("\n  "),
        );
      }
      const m = result.messageExceptions;
      if (m) {
        console.log(
          `message exceptions needed: ${m.needed} of ${m.listed}` +
            (m.unneeded.length ? `; ours gave the spec's message at ${m.unneeded.join(" ")}` : ""),
        );
      }
      const checked = configOf(reports).messagesChecked;
      const counts = Object.entries(checked).map(([k, n]) => `${k} ${n}`).join(", ");
      if (counts) console.log(`error messages compared with the spec's text: ${counts}`);
      const t = totals(reports);
      assert.ok(t.passed > 0, "no command passed");
      checkPinned(
        config.label,
        reports,
        () =>
          `(${t.passed} passed, ${t.failed} failed; first failures:\n${
            formatFailures(reports, 20).join("\n")
          })`,
      );
    },
  });
});

const MODEL_LABEL = "parseWast vs wast2json, wasm-2.0 (pass: commands that agree; fail: differ)";

Deno.test({
  name: "spec .wast scripts: parseWast reads the 2.0 scripts as wast2json does",
  ignore: scripts["2.0"].length === 0 || jsonFiles.length === 0,
  async fn() {
    const parser = await loadWastParser();
    const json = new Set(jsonFiles);
    const reports: FileReport[] = [];
    const details: string[] = [];
    for (const file of scripts["2.0"].filter((f) => json.has(f))) {
      const report = emptyReport(file);
      const parsed = parseScript(parser, "2.0", file);
      if ("error" in parsed) report.parseError = parsed.error;
      else {
        const c = compareModels(parsed.commands, readJsonScript(defaultSpecRoot, file));
        report.passed = c.agree;
        report.failed = c.differ;
        if (c.differ) {
          details.push(
            `${file}.wast: ${c.differ} commands differ`,
            ...c.details.map((d) => `    ${d}`),
          );
        }
      }
      reports.push(report);
    }
    const t = totals(reports);
    console.log(
      `commands read alike by parseWast and wast2json: ${t.passed}, differently: ${t.failed}, ` +
        `scripts not parsed: ${t.unparsed}`,
    );
    if (details.length) console.log(details.slice(0, 60).join("\n"));
    checkPinned(MODEL_LABEL, reports, () => details.slice(0, 30).join("\n"));
  },
});

const selfTestParser = await loadWastParser();

Deno.test({
  name: "spec .wast scripts: the runner fails every wrong assertion of a script made to test it (V8)",
  ignore: typeof selfTestParser === "string",
  fn() {
    if (typeof selfTestParser === "string") return;
    const text = SELF_TEST.map(([command]) => command).join("\n");
    const commands = selfTestParser.parseWast(text, "selftest.wast");
    assert.equal(commands.length, SELF_TEST.length, "one command per line");
    const report = runScript(globalThis.WebAssembly, "selftest", commands, {
      text: selfTestParser,
      maxFailuresPerFile: SELF_TEST.length,
    });
    const verdictOf = (line: number) =>
      report.failures.some((f) => f.line === line)
        ? "fail"
        : report.notRun.some((f) => f.line === line)
        ? "notRun"
        : "pass";
    const wrong = SELF_TEST.map(([command, verdict], i) => ({ command, verdict, got: verdictOf(i + 1) }))
      .filter((x) => x.verdict !== x.got)
      .map((x) => `${x.command}: expected ${x.verdict}, got ${x.got}`);
    assert.deepEqual(wrong, [], "the runner misjudged the self-test script");
    assert.equal(report.passed, SELF_TEST.filter(([, v]) => v === "pass").length);
  },
});
