/**
 * The suite is meant to run with every permission (`deno task test`, i.e. `deno test -A tests/ bench/`).
 * Without them it would not fail as a whole: the tests that look for a tool, the spec suite or a
 * fixture catch the permission error like any other and count the thing as missing, so a run with
 * no flags ended green with those tests ignored. This test turns such a run red, naming the
 * permissions it lacks and the command to use. (Queried, never prompted.)
 */

/** The permissions the suite uses: files, subprocesses (the CLI, node, strace), FFI (the native backend)… */
const NEEDED: Deno.PermissionName[] = ["read", "write", "run", "env", "ffi", "net", "sys"];

const missing = NEEDED.filter((name) => Deno.permissions.querySync({ name }).state !== "granted");

Deno.test({
  name: "the test run has the permissions the suite needs (-A)",
  fn() {
    if (missing.length > 0) {
      const error = new Error(
        `run the tests with every permission, \`deno task test\` or \`deno test -A tests/ bench/\` ` +
          `(missing: ${missing.map((name) => `--allow-${name}`).join(", ")}): without them tests that ` +
          "look for a tool or a file would be skipped as if it were absent",
      );
      error.stack = `Error: ${error.message}`; // one line: where it is thrown says nothing
      throw error;
    }
  },
});
