/**
 * The pinned results of the spec suite (tests/spec/expected.json) and the listed trap/compile message
 * exceptions (tests/spec/message_exceptions.json), read and compared by tests/spec_test.ts.
 *
 * expected.json holds, per variant of the run (JS tier, interpreter), the assertions passed and skipped in
 * every spec file, how many error messages were compared with the spec's text, and how many functions the
 * JS tier compiled (or left to the interpreter by design); and, for the decode/validate pass over every
 * binary module of the suite, the modules accepted and refused per file. Any change fails the test,
 * improvements included, until the file is regenerated on purpose:
 *
 *   WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_test.ts
 *
 * then review `git diff tests/spec/expected.json` and commit it with the change that explains it.
 */
import type { FileReport } from "./report.ts";

export const EXPECTED_URL: URL = new URL("./expected.json", import.meta.url);
export const EXCEPTIONS_URL: URL = new URL("./message_exceptions.json", import.meta.url);

/** How to regenerate expected.json; printed with every mismatch. */
export const UPDATE_HINT = "if the change is intended, regenerate the expectations with\n" +
  "  WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_test.ts\n" +
  "and commit tests/spec/expected.json (review its diff: every changed number should be explained)";

/** Whether this run rewrites expected.json instead of comparing with it. */
export const updating: boolean = Deno.env.get("WASMRUN_SPEC_UPDATE") === "1";

/** One spec file in one variant: assertions passed, commands skipped (text-format modules). */
export interface FileCounts {
  passed: number;
  skipped: number;
}

/** One variant of the suite run (e.g. "wasmrun, JS tier"). */
export interface VariantExpectation {
  /** Functions compiled to JS during the run. */
  jsCompiled: number;
  /** Functions the JS tier declined by design (they ran on the interpreter). */
  jsUnsupported: number;
  /** Passed assertions whose message was compared with the spec's text, per command type. */
  messagesChecked: Record<string, number>;
  /** Of those, how many passed as a listed exception (message_exceptions.json). */
  messageExceptions: number;
  files: Record<string, FileCounts>;
}

/** The decode/validate pass over every binary module of the suite, per file. */
export interface ModuleCounts {
  /** Modules the suite instantiates (module, assert_trap, assert_unlinkable, assert_uninstantiable). */
  accepted: number;
  /** assert_invalid and assert_malformed modules, refused with a CompileError. */
  refused: number;
  /** Refusals whose message starts with the spec's text. */
  specMessage: number;
}

export interface Expectations {
  /** What the file is and how to update it (kept when rewriting). */
  about: string[];
  variants: Record<string, VariantExpectation>;
  modules: { textSkipped: number; files: Record<string, ModuleCounts> };
}

const ABOUT = [
  "Pinned results of the Wasm 2.0 spec suite (../shared/spec), checked by tests/spec_test.ts.",
  "Any difference fails the test, improvements too. Regenerate on purpose, then review the diff:",
  "WASMRUN_SPEC_UPDATE=1 deno test -A tests/spec_test.ts",
];

export function loadExpectations(): Expectations {
  try {
    return JSON.parse(Deno.readTextFileSync(EXPECTED_URL));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return { about: ABOUT, variants: {}, modules: { textSkipped: 0, files: {} } };
  }
}

/** Rewrites one part of expected.json (the tests of spec_test.ts each update their own part). */
export function saveExpectations(change: (e: Expectations) => void): void {
  const e = loadExpectations();
  e.about = ABOUT;
  change(e);
  // Variants in a stable order, so the file's diff only shows changed numbers.
  e.variants = Object.fromEntries(Object.entries(e.variants).sort(([a], [b]) => a.localeCompare(b)));
  Deno.writeTextFileSync(EXPECTED_URL, format(e));
}

/** JSON with one line per spec file (what `deno fmt` leaves as it is). */
function format(e: Expectations): string {
  const files = (f: Record<string, unknown>, indent: string) =>
    Object.keys(f).sort().map((k) => `${indent}${JSON.stringify(k)}: ${inline(f[k])}`).join(",\n");
  const inline = (v: unknown) => {
    if (typeof v !== "object" || v === null) return JSON.stringify(v);
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join(", ")} }`;
  };
  const variants = Object.entries(e.variants).map(([name, v]) =>
    [
      `    ${JSON.stringify(name)}: {`,
      `      "jsCompiled": ${v.jsCompiled},`,
      `      "jsUnsupported": ${v.jsUnsupported},`,
      `      "messagesChecked": {`,
      files(v.messagesChecked, "        "),
      `      },`,
      `      "messageExceptions": ${v.messageExceptions},`,
      `      "files": {`,
      files(v.files as Record<string, unknown>, "        "),
      `      }`,
      `    }`,
    ].join("\n")
  );
  return [
    "{",
    `  "about": [\n${e.about.map((l) => `    ${JSON.stringify(l)}`).join(",\n")}\n  ],`,
    `  "variants": {\n${variants.join(",\n")}\n  },`,
    `  "modules": {`,
    `    "textSkipped": ${e.modules.textSkipped},`,
    `    "files": {\n${files(e.modules.files as Record<string, unknown>, "      ")}\n    }`,
    `  }`,
    "}",
    "",
  ].join("\n");
}

/** The variant's record made from this run's reports. */
export function variantOf(
  reports: FileReport[],
  jsCompiled: number,
  jsUnsupported: number,
): VariantExpectation {
  const messagesChecked: Record<string, number> = {};
  let messageExceptions = 0;
  const files: Record<string, FileCounts> = {};
  for (const r of reports) {
    files[r.file] = { passed: r.passed, skipped: r.skippedText + r.skippedSimd };
    for (const [k, n] of Object.entries(r.messagesChecked)) {
      messagesChecked[k] = (messagesChecked[k] ?? 0) + n;
    }
    messageExceptions += r.messageExceptions.length;
  }
  const sorted = Object.fromEntries(Object.entries(messagesChecked).sort(([a], [b]) => a.localeCompare(b)));
  return { jsCompiled, jsUnsupported, messagesChecked: sorted, messageExceptions, files };
}

/** Every difference between two records of the same shape, as "path: expected → actual" lines. */
export function differences(expected: unknown, actual: unknown, path = ""): string[] {
  if (typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null) {
    const e = expected as Record<string, unknown>, a = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in e)) return [`${p}: not pinned, now ${JSON.stringify(a[k])}`];
      if (!(k in a)) return [`${p}: pinned ${JSON.stringify(e[k])}, now absent`];
      return differences(e[k], a[k], p);
    });
  }
  return expected === actual
    ? []
    : [`${path}: pinned ${JSON.stringify(expected)}, now ${JSON.stringify(actual)}`];
}

/** One listed message exception: where, the spec's text, our exact message, and why it differs. */
export interface ListedException {
  /** "file.wast:line" */
  at: string;
  command: string;
  spec: string;
  ours: string;
  /** "legitimate": ours is right too (a different, equally true diagnosis); "to fix": ours should change. */
  status: "legitimate" | "to fix";
  reason: string;
}

export function loadExceptions(): ListedException[] {
  const listed: ListedException[] = JSON.parse(Deno.readTextFileSync(EXCEPTIONS_URL)).exceptions;
  for (const x of listed) {
    if (!/^[\w.-]+\.wast:\d+$/.test(x.at) || !x.reason || !["legitimate", "to fix"].includes(x.status)) {
      throw new Error(`${EXCEPTIONS_URL.pathname}: malformed entry ${JSON.stringify(x)}`);
    }
  }
  return listed;
}

/** The harness's `messageExceptions` option: "file:line" → the exact message expected from us. */
export function exceptionMap(listed: ListedException[]): Map<string, string> {
  return new Map(listed.map((x) => [x.at.replace(".wast:", ":"), x.ours]));
}
