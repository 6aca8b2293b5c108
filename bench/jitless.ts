/**
 * `deno task bench:jitless`: the kernels where V8 has no WebAssembly at all (`--v8-flags=--jitless`: no
 * JIT, so no wasm engine), the place where wasmrun is the only way to run wasm. Runs bench/run.ts twice,
 * as subprocesses: once normally for V8's own wasm times (the reference), once under `--jitless` for
 * wasmrun's (default, and `jit: false`), and prints the ratios to V8's JIT times and their geometric means.
 *
 *   deno run -A bench/jitless.ts [--filter NAME[,NAME]] [--runs N]
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { filter: { type: "string" }, runs: { type: "string", default: "1" } },
});
const RUN = new URL("./run.ts", import.meta.url).pathname;

interface Result {
  programs: { name: string; engines: Record<string, { seconds?: number; error?: string }> }[];
  errors: string[];
}

function bench(v8Flags: string[], engine: string): Result {
  const filter = values.filter ?? "fib,sieve,sha256,hash64,matmul,nbody,sort";
  const args = ["run", "-A", ...v8Flags, RUN, "--engine", engine, "--json", "--filter", filter];
  args.push("--runs", values.runs!, "--warmup", "0");
  const out = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" }).outputSync();
  if (!out.success) throw new Error(`bench/run.ts ${v8Flags.join(" ")} --engine ${engine} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

console.error("V8's own wasm times (JIT) ...");
const reference = bench([], "v8");
console.error("wasmrun under --jitless ...");
const jitless = bench(["--v8-flags=--jitless"], "wasmrun");

const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const columns = ["wasmrun", "interpreter"];
const ratios: Record<string, number[]> = { wasmrun: [], interpreter: [] };
console.log("kernels under --jitless (no WebAssembly in V8), against V8's JIT times");
console.log("benchmark        V8 JIT s   wasmrun s   /V8   jit:false s   /V8");
for (const p of reference.programs) {
  const v8 = p.engines.v8?.seconds;
  const ours = jitless.programs.find((q) => q.name === p.name);
  if (v8 === undefined || ours === undefined) continue;
  const cells = columns.map((c) => {
    const s = ours.engines[c]?.seconds;
    if (s === undefined) return "        -      -";
    ratios[c].push(s / v8);
    return `${s.toFixed(3).padStart(9)} ${(s / v8).toFixed(0).padStart(5)}x`;
  });
  console.log(`${p.name.padEnd(14)} ${v8.toFixed(4).padStart(10)}  ${cells.join("   ")}`);
}
const means = columns.map((c) => ratios[c].length ? `${geomean(ratios[c]).toFixed(0)}x` : "-");
console.log(
  `geometric mean                      ${means[0].padStart(5)}                ${means[1].padStart(5)}`,
);
const errors = [...reference.errors, ...jitless.errors];
if (errors.length) {
  console.log(`ERRORS:\n${errors.join("\n")}`);
  Deno.exit(1);
}
