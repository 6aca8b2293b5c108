/** The results of `deno task bench:real` and their plain-text rendering. */
import { geometricMean } from "../measure.ts";
import { type Run, type Way, WAYS } from "./runner.ts";

/** The ways compared with node:wasi. */
export const COMPARED = WAYS.filter((w) => w !== "node:wasi");

export interface ProgramResult {
  name: string;
  package: string;
  what: string;
  /** Code section size in MB (10^6 bytes), and the whole module's. */
  codeMB: number;
  fileMB: number;
  /** Fastest of the runs of each way (RSS of that run), or the first error. */
  ways: Partial<Record<Way, Run>>;
  /** This way's time (and peak RSS) divided by node:wasi's, when both ran cleanly. */
  ratios: Partial<Record<Way, { time: number; rss?: number }>>;
}

export interface Report {
  date: string;
  deno: string;
  cpus: number;
  load: string;
  /** The checkout wasmrun ran from, its commit ("" outside git) and whether it had uncommitted changes. */
  wasmrun: string;
  commit: string;
  dirty: boolean;
  /** Its commit or uncommitted changes were not the same at the end of the run as at the start. */
  changedDuringRun: boolean;
  runs: number;
  timeoutSeconds: number;
  rssAvailable: boolean;
  programs: ProgramResult[];
  /** Geometric mean of each way's time ratios over the programs where both ran cleanly. */
  geomean: Partial<Record<Way, number>>;
  totalSeconds: number;
}

export function ratios(ways: ProgramResult["ways"]): ProgramResult["ratios"] {
  const base = ways["node:wasi"];
  const out: ProgramResult["ratios"] = {};
  if (base?.seconds === undefined) return out;
  for (const way of COMPARED) {
    const run = ways[way];
    if (run?.seconds === undefined) continue;
    out[way] = { time: run.seconds / base.seconds };
    if (run.rssMB !== undefined && base.rssMB) out[way].rss = run.rssMB / base.rssMB;
  }
  return out;
}

export function geomeans(programs: ProgramResult[]): Report["geomean"] {
  const out: Report["geomean"] = {};
  for (const way of COMPARED) {
    const times = programs.flatMap((p) => p.ratios[way] ? [p.ratios[way].time] : []);
    if (times.length) out[way] = geometricMean(times);
  }
  return out;
}

const pad = (s: string, n: number) => s.padStart(n);
const cell = (run: Run | undefined, rss: boolean) => {
  if (!run) return pad("-", 17);
  if (run.error !== undefined) return pad(run.error.startsWith("timed out") ? "TIMEOUT" : "ERROR", 17);
  return pad(`${run.seconds!.toFixed(2)} s`, 9) + pad(rss ? `${Math.round(run.rssMB!)} MB` : "n/a", 8);
};
const times = (x: number | undefined) => pad(x === undefined ? "-" : `${x.toFixed(x < 10 ? 2 : 1)}x`, 8);

export function formatReport(report: Report): string {
  const name = Math.max(12, ...report.programs.map((p) => p.name.length)) + 2;
  const lines = [
    `Real WASI programs, end to end as subprocesses (Deno start-up included); best of ${report.runs}, ` +
    `timeout ${report.timeoutSeconds} s per run.`,
    `wasmrun ${report.wasmrun}${report.commit ? ` at ${report.commit}` : ""}` +
    `${report.dirty ? " + uncommitted changes" : ""}; Deno ${report.deno}; ` +
    `${report.cpus} CPUs, load average at start ${report.load} (other work may share the machine).`,
  ];
  if (report.changedDuringRun) {
    lines.push("WARNING: wasmrun's checkout changed during the run: its runs did not all run the same code.");
  }
  if (!report.rssAvailable) {
    lines.push("Peak RSS unavailable: /usr/bin/time not found (apt-get install -y time).");
  }
  lines.push(
    "",
    "wall seconds, peak RSS".padEnd(name + 8) + WAYS.map((w) => pad(w, 17)).join(""),
    "program".padEnd(name) + pad("code MB", 8) + WAYS.map(() => pad("s", 9) + pad("RSS", 8)).join(""),
  );
  for (const p of report.programs) {
    lines.push(
      p.name.padEnd(name) + pad(p.codeMB.toFixed(2), 8) +
        WAYS.map((w) => cell(p.ways[w], report.rssAvailable)).join(""),
    );
  }
  lines.push(
    "",
    "ratio to node:wasi".padEnd(name) + COMPARED.map((w) => pad(w, 16)).join(""),
    "program".padEnd(name) + COMPARED.map(() => pad("time", 8) + pad("RSS", 8)).join(""),
  );
  for (const p of report.programs) {
    lines.push(
      p.name.padEnd(name) + COMPARED.map((w) => times(p.ratios[w]?.time) + times(p.ratios[w]?.rss)).join(""),
    );
  }
  lines.push("geomean".padEnd(name) + COMPARED.map((w) => times(report.geomean[w]) + pad("", 8)).join(""));

  const errors = report.programs.flatMap((p) =>
    WAYS.flatMap((w) => p.ways[w]?.error !== undefined ? [`  ${p.name} (${w}): ${p.ways[w]!.error}`] : [])
  );
  if (errors.length) lines.push("", "ERRORS", ...errors);
  lines.push("", `total ${report.totalSeconds.toFixed(0)} s`);
  return lines.join("\n");
}
