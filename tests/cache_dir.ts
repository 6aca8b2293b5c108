/**
 * Imported (for its effect) by every test file that runs the command line: the CLI's compile cache
 * goes to a temporary directory of this test run ($WASMRUN_CACHE_DIR, inherited by the CLI processes
 * the tests start), not to the user's own cache, so that no run depends on what an earlier one left.
 */
if (!Deno.env.get("WASMRUN_CACHE_DIR")) {
  const dir = Deno.makeTempDirSync({ prefix: "wasmrun-test-cache-" });
  Deno.env.set("WASMRUN_CACHE_DIR", dir);
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  });
}
