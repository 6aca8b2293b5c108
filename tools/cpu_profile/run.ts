/**
 * Where a wasmrun run spends its time, by JS function: runs `cli.ts` with the given arguments under a
 * V8 CPU profile (tools/cpu_profile/preload.ts) and prints the functions with the most time of their
 * own and the most time including what they call. The JS tier's code shows as `wasm://wasm/…` functions.
 *
 *   deno run -A tools/cpu_profile/run.ts [--top N] [--interval US] [--out FILE] [--lines URL] -- ARGS…
 *
 * ARGS are wasmrun's (`exec --no-cache --dir … app.wasm …`). `--lines URL` also lists the self time by
 * line of the functions whose URL contains URL: for generated code, lines of its JS source; for ours,
 * lines of the JS Deno transpiled the file to (in Deno's cache, `gen/`), not of the .ts.
 * The profile stays in FILE (default: a temporary file), for Chrome's DevTools or speedscope.
 */
import { parseArgs } from "node:util";

const ROOT = new URL("../../", import.meta.url).pathname;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    top: { type: "string", default: "30" },
    interval: { type: "string", default: "500" },
    out: { type: "string" },
    lines: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: true,
});
if (values.help || positionals.length === 0) {
  console.log(
    "usage: deno run -A tools/cpu_profile/run.ts [--top N] [--interval US] [--out FILE] [--lines URL] -- ARGS...",
  );
  Deno.exit(values.help ? 0 : 2);
}
const top = Number(values.top);
const out = values.out ?? Deno.makeTempFileSync({ suffix: ".cpuprofile" });

const run = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--preload", `${ROOT}tools/cpu_profile/preload.ts`, `${ROOT}cli.ts`, ...positionals],
  env: { WASMRUN_CPUPROFILE: out, WASMRUN_CPUPROFILE_US: values.interval },
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).output();
console.error(`wasmrun exited with ${run.code}; profile: ${out}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
const text = Deno.readTextFileSync(out);
if (text === "") {
  console.error("no profile was written (the run ended before the profiler could write it)");
  Deno.exit(run.code === 0 ? 1 : run.code);
}
const profile = JSON.parse(text) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const here = `file://${ROOT}`;
const nameOf = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(here, "")}:${
    n.callFrame.lineNumber + 1
  }`;

const self = new Map<string, number>(), inclusive = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000; // a sample's time is until the next
  total += ms;
  const own = nameOf(byId.get(id)!);
  self.set(own, (self.get(own) ?? 0) + ms);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = nameOf(byId.get(at)!);
    if (!seen.has(name)) seen.add(name), inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
  }
});

function list(title: string, times: Map<string, number>): void {
  console.log(`\n${title} (of ${total.toFixed(0)} ms sampled)`);
  for (const [name, ms] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms.toFixed(0).padStart(8)} ms ${(100 * ms / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}
list("self time", self);
list("time including callees", inclusive);

if (values.lines !== undefined) {
  const ticks = new Map<string, number>();
  for (const n of profile.nodes) {
    if (!n.callFrame.url.includes(values.lines)) continue;
    for (const { line, ticks: t } of n.positionTicks ?? []) {
      const key = `${n.callFrame.url.replace(here, "")}:${line} ${n.callFrame.functionName || "(anonymous)"}`;
      ticks.set(key, (ticks.get(key) ?? 0) + t);
    }
  }
  console.log(`\nself samples by line, ${values.lines}`);
  for (const [key, t] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${String(t).padStart(8)}  ${key}`);
  }
}

Deno.exit(run.code);
