/**
 * Loaded with `deno run --preload` by tools/cpu_profile/run.ts: records a V8 CPU profile of the whole
 * run through `node:inspector` and writes it (Chrome's `.cpuprofile` format) to $WASMRUN_CPUPROFILE when
 * the program calls `Deno.exit`, or when its event loop ends. Functions V8 optimized are attributed to
 * their own names and lines here, which `--prof` logs read by Node's prof-process are not.
 */
import { Session } from "node:inspector";

const out = Deno.env.get("WASMRUN_CPUPROFILE") ?? "wasmrun.cpuprofile";
const session = new Session();
session.connect();
const post = (method: string, params: object = {}) =>
  new Promise<unknown>((resolve, reject) =>
    session.post(method, params, (err: Error | null, result: unknown) => err ? reject(err) : resolve(result))
  );
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", {
  interval: Number(Deno.env.get("WASMRUN_CPUPROFILE_US") ?? 500),
});
await post("Profiler.start");

let written: Promise<void> | null = null;
/** Stops the profiler and writes the profile (once). */
function write(): Promise<void> {
  return written ??= post("Profiler.stop").then((r) => {
    Deno.writeTextFileSync(out, JSON.stringify((r as { profile: unknown }).profile));
  });
}

// The profiler answers asynchronously, so `Deno.exit` waits for the profile before it exits.
const exit = Deno.exit;
Deno.exit = ((code?: number) => {
  write().finally(() => exit(code));
  setTimeout(() => {}, 60_000); // keeps the event loop alive until then
}) as typeof Deno.exit;
globalThis.addEventListener("beforeunload", () => void write());
