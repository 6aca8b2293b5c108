/**
 * `--profile`: at exit, the functions that executed the most operations, with their share of the
 * total, so a user sees where the guest spent its time. Counts come from the engine (lowered
 * operations per function, so one fused operation may stand for several wasm instructions).
 */
import type { EngineLike, ProfileEntry } from "./engine.ts";

/** How many functions the report lists. */
export const PROFILE_TOP = 10;

function label(e: ProfileEntry): string {
  return e.name ? e.name : `$${e.index}`;
}

export function formatProfile(entries: ProfileEntry[], top = PROFILE_TOP): string {
  const ran = entries.filter((e) => e.ops > 0).sort((a, b) => b.ops - a.ops || a.index - b.index);
  const total = ran.reduce((sum, e) => sum + e.ops, 0);
  const lines = [`profile: ${total} operations executed in ${ran.length} function(s)`];
  if (total === 0) return lines.join("\n") + "\n";
  const width = Math.max(10, String(ran[0].ops).length);
  lines.push(`  ${"ops".padStart(width)}   share  function`);
  for (const e of ran.slice(0, top)) {
    const share = `${(e.ops / total * 100).toFixed(1)}%`.padStart(6);
    lines.push(`  ${String(e.ops).padStart(width)}  ${share}  ${label(e)}`);
  }
  if (ran.length > top) {
    const rest = ran.slice(top).reduce((sum, e) => sum + e.ops, 0);
    const share = `${(rest / total * 100).toFixed(1)}%`.padStart(6);
    lines.push(`  ${String(rest).padStart(width)}  ${share}  (${ran.length - top} other functions)`);
  }
  return lines.join("\n") + "\n";
}

/** The report for `instance`, or a note saying why there is none. */
export function profileReport(engine: EngineLike, instance: object | undefined): string {
  if (!instance) return "profile: none (the start function did not return)\n";
  const entries = engine.profileOf?.(instance);
  if (!entries) return "profile: this engine does not collect a profile\n";
  return formatProfile(entries);
}
