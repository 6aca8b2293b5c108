/**
 * The no-silent-skip rule, in one place. Some tests need something outside the repository: the spec
 * suite in ../shared (tests/spec/harness.ts), `node` (the node:wasi comparison), npm packages that serve
 * as oracles (binaryen, jco's wasm-tools).
 * When one is missing, the tests that need it are ignored, and:
 *
 * - with `CI=true` (CI is set to anything but "", "0" or "false"), one extra test named
 *   "prerequisite missing: …" fails with a one-line reason, so the run cannot end green;
 * - elsewhere, one line on stderr says what is missing, what is skipped and how to get it.
 *
 * Either happens once per test run, not once per test file that imports the helper: `deno test` runs each
 * file in its own isolate, so the "already reported" mark is an environment variable of the process.
 */

/** Whether this is a CI run, where a missing prerequisite fails the run instead of skipping tests. */
export const inCI: boolean = (() => {
  try {
    const ci = Deno.env.get("CI");
    return ci !== undefined && !["", "0", "false"].includes(ci.toLowerCase());
  } catch {
    return false; // no env permission: not knowably CI
  }
})();

/** The environment variable marking `what` as reported in this process. */
function markOf(what: string): string {
  return `WASMRUN_TESTS_REPORTED_${what.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

function reportedBefore(what: string): boolean {
  try {
    if (Deno.env.get(markOf(what))) return true;
    Deno.env.set(markOf(what), "1");
  } catch {
    // Without env permission every file reports it: noisy, never silent.
  }
  return false;
}

/** A hint when the run cannot look (`deno test` without -A): then the thing may only seem missing. */
function lackingPermissions(): string {
  const names: Deno.PermissionName[] = ["read", "run", "env"];
  const lacking = names.filter((name) => Deno.permissions.querySync({ name }).state !== "granted");
  return lacking.length === 0
    ? ""
    : `; or the run lacks ${lacking.map((n) => `--allow-${n}`).join(", ")}: use -A`;
}

/**
 * Reports that `what` is missing: `skipped` says which tests are ignored because of it, `howToGet` how to
 * provide it. Call it at module load (a failing test can only be registered then).
 */
export function missingPrerequisite(what: string, skipped: string, howToGet: string): void {
  if (reportedBefore(what)) return;
  const reason = `${what} is missing, so ${skipped} are skipped (${howToGet}${lackingPermissions()})`;
  if (inCI) {
    Deno.test({
      name: `prerequisite missing: ${what} (required when CI=true)`,
      fn() {
        throw new Error(reason);
      },
    });
  } else {
    console.warn(`NOTE: ${reason}; with CI=true this fails the run`);
  }
}
