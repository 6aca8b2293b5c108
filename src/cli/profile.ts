/**
 * `--profile`: at exit, the functions that executed the most operations, with their share of the
 * total, so a user sees where the guest spent its time. Counts come from the engine (instructions
 * per function, as fuel counts them). `--profile=json[,FILE]` writes the same counts to a file in
 * speedscope's format (https://www.speedscope.app/file-format-schema.json), which speedscope and
 * other viewers open: a "sampled" profile whose samples are the functions and whose weights are
 * their counts. The engine counts per function, not per call stack, so each sample is one frame
 * and a function's total is its self count.
 */
import type { EngineLike, ProfileEntry } from "./engine.ts";
import { type CliIo, writeAll } from "./io.ts";
import { demangle } from "./demangle.ts";
import { oneLine } from "./load.ts";

/** How many functions the report lists. */
export const PROFILE_TOP = 10;

function label(e: ProfileEntry, demangled: boolean): string {
  if (!e.name) return `$${e.index}`;
  return demangled ? demangle(e.name) : e.name;
}

/** The functions that ran, most operations first (by index among equals). */
function ranFunctions(entries: ProfileEntry[]): ProfileEntry[] {
  return entries.filter((e) => e.ops > 0).sort((a, b) => b.ops - a.ops || a.index - b.index);
}

export function formatProfile(entries: ProfileEntry[], top = PROFILE_TOP, demangled = true): string {
  const ran = ranFunctions(entries);
  const total = ran.reduce((sum, e) => sum + e.ops, 0);
  const lines = [`profile: ${total} operations executed in ${ran.length} function(s)`];
  if (total === 0) return lines.join("\n") + "\n";
  const width = Math.max(10, String(ran[0].ops).length);
  lines.push(`  ${"ops".padStart(width)}   share  function`);
  for (const e of ran.slice(0, top)) {
    const share = `${(e.ops / total * 100).toFixed(1)}%`.padStart(6);
    lines.push(`  ${String(e.ops).padStart(width)}  ${share}  ${label(e, demangled)}`);
  }
  if (ran.length > top) {
    const rest = ran.slice(top).reduce((sum, e) => sum + e.ops, 0);
    const share = `${(rest / total * 100).toFixed(1)}%`.padStart(6);
    lines.push(`  ${String(rest).padStart(width)}  ${share}  (${ran.length - top} other functions)`);
  }
  return lines.join("\n") + "\n";
}

/** speedscope's file format: what a profile file holds (only the fields written here). */
export interface SpeedscopeFile {
  $schema: "https://www.speedscope.app/file-format-schema.json";
  shared: { frames: { name: string; file: string }[] };
  profiles: {
    type: "sampled";
    name: string;
    unit: "none";
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/**
 * The profile in speedscope's format: a frame per function that ran (its name, demangled unless
 * `demangled` is false, and `wasm-function[N]` as its file, V8's name for it), one sample of it
 * weighing its count of operations; every function, not only the top ones.
 */
export function speedscopeProfile(entries: ProfileEntry[], title: string, demangled = true): SpeedscopeFile {
  const ran = ranFunctions(entries);
  const total = ran.reduce((sum, e) => sum + e.ops, 0);
  return {
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames: ran.map((e) => ({ name: label(e, demangled), file: `wasm-function[${e.index}]` })) },
    profiles: [{
      type: "sampled",
      name: `${title} (operations executed)`,
      unit: "none",
      startValue: 0,
      endValue: total,
      samples: ran.map((_, i) => [i]),
      weights: ran.map((e) => e.ops),
    }],
    name: title,
    activeProfileIndex: 0,
    exporter: "wasmrun",
  };
}

/** The report for `instance`, or a note saying why there is none. */
export function profileReport(engine: EngineLike, instance: object | undefined, demangled = true): string {
  if (!instance) return "profile: none (the start function did not return)\n";
  const entries = engine.profileOf?.(instance);
  if (!entries) return "profile: this engine does not collect a profile\n";
  return formatProfile(entries, PROFILE_TOP, demangled);
}

/** What of the command `--profile` reads. */
export interface ProfileRequest {
  module: string;
  profileJson?: string;
  demangle?: boolean;
}

/**
 * At exit: the text report on stderr, or the JSON file (and one line on stderr saying where it is).
 * A file that cannot be written is one line on stderr; the program's exit status stands.
 */
export function writeProfile(
  io: CliIo,
  engine: EngineLike,
  instance: object | undefined,
  cmd: ProfileRequest,
): void {
  const demangled = cmd.demangle !== false;
  const entries = instance && engine.profileOf?.(instance);
  if (cmd.profileJson === undefined || !entries) {
    writeAll(io.stderr, profileReport(engine, instance, demangled));
    return;
  }
  const title = cmd.module.split(/[\\/]/).pop() || cmd.module;
  const file = speedscopeProfile(entries, title, demangled);
  try {
    Deno.writeTextFileSync(cmd.profileJson, JSON.stringify(file) + "\n");
  } catch (err) {
    const why = oneLine(err instanceof Error ? err.message : String(err));
    writeAll(io.stderr, `wasmrun: --profile: cannot write ${cmd.profileJson}: ${why}\n`);
    return;
  }
  const total = file.profiles[0].endValue;
  writeAll(
    io.stderr,
    `profile: ${total} operations executed in ${file.shared.frames.length} function(s), ` +
      `written to ${cmd.profileJson} (speedscope's format)\n`,
  );
}
