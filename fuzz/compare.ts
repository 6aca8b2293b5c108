/** Compares what a module did on wasmrun and on V8. */
import type { Outcome } from "./execute.ts";

export interface Mismatch {
  /** Coarse and stable under reduction (kept identical while wasm-reduce shrinks the module). */
  signature: string;
  /** What differed, for people. */
  detail: string;
}

function eventKind(event: string | undefined): string {
  if (event === undefined) return "none";
  if (event.startsWith("log ")) return "log";
  const result = event.slice(event.indexOf(" -> ") + 4);
  if (result === "TypeError" || result === "RangeError" || result.startsWith("exception")) return "error";
  return result.startsWith("trap:") ? result : result.includes(":") ? "error" : "value";
}

/**
 * undefined when the two agree. Generated calls do a few thousand operations at most, so running
 * out of the fuel or time budget means wasmrun went astray (looped where V8 did not): a mismatch.
 */
export function compareOutcomes(ours: Outcome, v8: Outcome): Mismatch | undefined {
  if (ours.exhausted) {
    return {
      signature: "ours exhausted its budget",
      detail: `wasmrun ran out of fuel or time (${ours.events.at(-1)}); V8 finished`,
    };
  }
  if (ours.compile !== v8.compile) {
    // A module V8 runs that uses what wasmrun does not implement (yet): said as such, with our reason.
    const why = ours.compileMessage;
    if (why !== undefined && v8.compile === "ok" && /not supported/.test(why)) {
      return {
        signature: `compile ours=refused (not supported) v8=ok`,
        detail: `wasmrun refuses a module V8 runs: ${why}`,
      };
    }
    return {
      signature: `compile ours=${ours.compile} v8=${v8.compile}`,
      detail: `compile: ours ${ours.compile}${why ? ` (${why})` : ""}, V8 ${v8.compile}` +
        (v8.compileMessage ? ` (${v8.compileMessage})` : ""),
    };
  }
  if (ours.instantiate !== v8.instantiate) {
    return {
      signature: `instantiate ours=${ours.instantiate} v8=${v8.instantiate}`,
      detail: `instantiate: ours ${ours.instantiate}, V8 ${v8.instantiate}`,
    };
  }
  const n = Math.max(ours.events.length, v8.events.length);
  for (let i = 0; i < n; i++) {
    const a = ours.events[i], b = v8.events[i];
    if (a !== b) {
      return {
        signature: `event ours=${eventKind(a)} v8=${eventKind(b)}`,
        detail: `event ${i}: ours ${a ?? "(none)"}, V8 ${b ?? "(none)"}`,
      };
    }
  }
  const g1 = (ours.globals ?? []).join(", "), g2 = (v8.globals ?? []).join(", ");
  if (g1 !== g2) return { signature: "globals", detail: `exported globals: ours ${g1}, V8 ${g2}` };
  if (ours.memory !== v8.memory) {
    return { signature: "memory", detail: `final memory: ours ${ours.memory}, V8 ${v8.memory}` };
  }
  const t1 = (ours.tables ?? []).join("; "), t2 = (v8.tables ?? []).join("; ");
  if (t1 !== t2) return { signature: "tables", detail: `exported tables: ours ${t1}, V8 ${t2}` };
  return undefined;
}
