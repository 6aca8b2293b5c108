/**
 * The pinned results of the `.wast` runs (tests/spec/wast_expected.json), read and compared by
 * tests/spec_wast_test.ts: per configuration (engine, tier, suite) and script, the commands passed,
 * failed, counted as known deviations and that could not run, and whether the script did not parse.
 * Any change fails the test, improvements included, until the file is regenerated on purpose:
 *
 *   WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_wast_test.ts
 *
 * then review `git diff tests/spec/wast_expected.json` and commit it with the change that explains it.
 */
import type { FileReport } from "./report.ts";

export const WAST_EXPECTED_URL: URL = new URL("./wast_expected.json", import.meta.url);

export const WAST_UPDATE_HINT = "if the change is intended, regenerate the expectations with\n" +
  "  WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_wast_test.ts\n" +
  "and commit tests/spec/wast_expected.json (review its diff: every changed number should be explained)";

/** One script in one configuration. `unparsed` only appears when our parser could not read it. */
export interface ScriptCounts {
  pass: number;
  fail: number;
  known: number;
  notRun: number;
  unparsed?: true;
}

export interface ConfigExpectation {
  /** Passed assertions whose message was compared with the spec's text, per command type (ours only). */
  messagesChecked: Record<string, number>;
  files: Record<string, ScriptCounts>;
}

export interface WastExpectations {
  about: string[];
  configs: Record<string, ConfigExpectation>;
}

const ABOUT = [
  "Pinned results of the .wast spec scripts (../shared/spec/wasm-2.0, wasm-3.0) run with modules made by",
  "our parser, checked by tests/spec_wast_test.ts. Any difference fails the test, improvements too.",
  "Regenerate on purpose, then review the diff: WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_wast_test.ts",
];

export function loadWastExpectations(): WastExpectations {
  try {
    return JSON.parse(Deno.readTextFileSync(WAST_EXPECTED_URL));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return { about: ABOUT, configs: {} };
  }
}

/** The configuration's record made from its reports. */
export function configOf(reports: FileReport[]): ConfigExpectation {
  const messagesChecked: Record<string, number> = {};
  const files: Record<string, ScriptCounts> = {};
  for (const r of reports) {
    const c: ScriptCounts = { pass: r.passed, fail: r.failed, known: r.deviations, notRun: r.couldNotRun };
    if (r.parseError !== undefined) c.unparsed = true;
    files[r.file] = c;
    for (const [k, n] of Object.entries(r.messagesChecked)) {
      messagesChecked[k] = (messagesChecked[k] ?? 0) + n;
    }
  }
  const sorted = Object.fromEntries(Object.entries(messagesChecked).sort(([a], [b]) => a.localeCompare(b)));
  return { messagesChecked: sorted, files };
}

/** Rewrites one configuration (each test of spec_wast_test.ts updates its own). */
export function saveWastConfig(label: string, config: ConfigExpectation): void {
  const e = loadWastExpectations();
  e.about = ABOUT;
  e.configs[label] = config;
  const labels = Object.keys(e.configs).sort();
  Deno.writeTextFileSync(WAST_EXPECTED_URL, format(ABOUT, labels.map((l) => [l, e.configs[l]])));
}

/** JSON with one line per script (what `deno fmt` leaves as it is). */
function format(about: string[], configs: [string, ConfigExpectation][]): string {
  const inline = (v: object) =>
    `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join(", ")} }`;
  const entries = (o: Record<string, unknown>, indent: string, item: (v: unknown) => string) =>
    Object.keys(o).sort().map((k) => `${indent}${JSON.stringify(k)}: ${item(o[k])}`).join(",\n");
  const body = configs.map(([label, c]) =>
    [
      `    ${JSON.stringify(label)}: {`,
      Object.keys(c.messagesChecked).length
        ? `      "messagesChecked": {\n${entries(c.messagesChecked, "        ", (n) => String(n))}\n      },`
        : `      "messagesChecked": {},`,
      `      "files": {`,
      entries(c.files as Record<string, unknown>, "        ", (v) => inline(v as object)),
      `      }`,
      `    }`,
    ].join("\n")
  );
  return [
    "{",
    `  "about": [\n${about.map((l) => `    ${JSON.stringify(l)}`).join(",\n")}\n  ],`,
    `  "configs": {\n${body.join(",\n")}\n  }`,
    "}",
    "",
  ].join("\n");
}
