/**
 * Regression cases: a mismatching module (reduced) saved as `tests/fuzz/<name>.wasm` with
 * `<name>.json` holding V8's outcome, which tests/fuzz_regression_test.ts replays on wasmrun.
 * A case is saved with `"open": true` (the test skips it) until the engine bug is fixed.
 */
import type { Mismatch } from "./compare.ts";
import type { Outcome } from "./execute.ts";
import { printWat } from "../src/text/print.ts";

export interface RegressionCase {
  /** `seed:index` of the generated module it was reduced from (`deno task fuzz --seed S --only I`). */
  source: string;
  signature: string;
  detail: string;
  /** What V8 does with the saved module: the expected behaviour. */
  v8: Outcome;
  /** What wasmrun did when the case was saved. */
  ours: Outcome;
  /** True while the bug is not fixed: the regression test skips open cases. */
  open: boolean;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 48);
}

export function caseName(source: string, mismatch: Mismatch): string {
  return `${slug(mismatch.signature)}-${source.replace(":", "-")}`;
}

export async function saveCase(
  dir: string,
  name: string,
  bytes: Uint8Array,
  entry: RegressionCase,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/${name}.wasm`, bytes);
  await Deno.writeTextFile(`${dir}/${name}.json`, JSON.stringify(entry, null, 2) + "\n");
  // In the repository's own style, so `deno fmt --check` stays clean.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", `${dir}/${name}.json`] }).output();
  // The text form, for reading the case (when the printer can read the module).
  try {
    await Deno.writeTextFile(`${dir}/${name}.wat`, printWat(bytes));
  } catch {
    // a module too broken to print: the binary is the case
  }
  return `${dir}/${name}.wasm`;
}
