/**
 * `deno task bench:instances`: one module, many instances — the sandbox-per-job use. Compiles a module
 * once, then for each job creates a fresh instance (a fresh WASI host for a program), runs it and drops
 * it, on V8 (Deno's built-in WebAssembly) and on wasmrun (default tiering, and `jit: false`) in one
 * process. Prints time per job (jobs 2 to N, default 100: once warm), the heap still in use after a full GC, and
 * the ratios to V8.
 *
 *   deno run -A --v8-flags=--expose-gc bench/instances/run.ts [--jobs N] [--micro N]
 *
 * Cases: `fib` (bench/wasm/fib.wasm: instantiate and call run(10), `--micro` times, default 10,000) and
 * `icepll` (a real WASI command from the npm package @yowasp/nextpnr-ice40, fetched by
 * `deno task bench:real` into its cache; skipped, with a line saying so, when it is not there).
 */
import { parseArgs } from "node:util";
import { BufferSink, WASI, WebAssembly as Ours } from "../../mod.ts";

type Api = typeof Ours;
const ENGINES: [string, Api, object][] = [
  ["v8", globalThis.WebAssembly as unknown as Api, {}],
  ["wasmrun", Ours, {}],
  ["wasmrun jit:false", Ours, { jit: false }],
];

const { values } = parseArgs({
  args: Deno.args,
  options: { jobs: { type: "string", default: "100" }, micro: { type: "string", default: "10000" } },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with --v8-flags=--expose-gc (deno task bench:instances does)");
  Deno.exit(2);
}

/**
 * The heap in use after a full GC, once the event loop has turned: a dropped WASI host's descriptors
 * are closed by a FinalizationRegistry callback, which runs as a task of its own (as it would between
 * a server's requests), not inside a loop of synchronous jobs.
 */
async function heapAfterGc(): Promise<number> {
  gc!();
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc!();
  return Deno.memoryUsage().heapUsed;
}

interface Row {
  engine: string;
  perJobMs: number;
  keptMB: number;
}

/** Runs `job` n times on a compiled module: time per job after the first, heap kept after GC. */
async function measure(n: number, job: () => void): Promise<{ perJobMs: number; keptMB: number }> {
  job(); // the first job warms (compiles what is hot); the rest are what a server sees
  const before = await heapAfterGc();
  const t0 = performance.now();
  for (let i = 1; i < n; i++) job();
  const perJobMs = (performance.now() - t0) / (n - 1);
  return { perJobMs, keptMB: (await heapAfterGc() - before) / 1e6 };
}

async function fibCase(n: number): Promise<Row[]> {
  const bytes = Deno.readFileSync(new URL("../wasm/fib.wasm", import.meta.url));
  const rows: Row[] = [];
  for (const [engine, api, options] of ENGINES) {
    const module = new api.Module(bytes);
    const r = await measure(n, () => {
      const run = new api.Instance(module, {}, options as never).exports.run as (n: number) => number;
      if (run(10) !== 55) throw new Error(`${engine}: fib(10) is not 55`);
    });
    rows.push({ engine, ...r });
  }
  return rows;
}

const ICEPLL = `${Deno.env.get("WASMRUN_BENCH_CACHE") ?? `${Deno.env.get("HOME")}/.cache/wasmrun-bench`}` +
  "/@yowasp__nextpnr-ice40@0.8.621/package/gen/icepll.core.wasm";

async function icepllCase(n: number): Promise<Row[] | string> {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(ICEPLL);
  } catch {
    return `icepll: not in the cache (${ICEPLL}); run deno task bench:real once to fetch it`;
  }
  const rows: Row[] = [];
  for (const [engine, api, options] of ENGINES) {
    const module = new api.Module(bytes);
    const r = await measure(n, () => {
      const stdout = new BufferSink();
      const wasi = new WASI({ args: ["icepll", "-i", "12", "-o", "48"], stdout, stderr: new BufferSink() });
      const instance = new api.Instance(module, wasi.getImportObject() as never, options as never);
      const status = wasi.start(instance as never);
      const text = new TextDecoder().decode(stdout.bytes());
      if (status !== 0 || !text.includes("F_PLLOUT")) throw new Error(`${engine}: icepll failed (${status})`);
    });
    rows.push({ engine, ...r });
  }
  return rows;
}

function print(title: string, rows: Row[]): void {
  const v8 = rows[0].perJobMs;
  console.log(`\n${title}`);
  console.log("engine               ms per job   /V8   heap kept after GC");
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(20)} ${r.perJobMs.toFixed(3).padStart(10)} ${
        (r.perJobMs / v8).toFixed(1).padStart(5)
      }x` +
        `   ${r.keptMB.toFixed(2).padStart(7)} MB`,
    );
  }
}

const micro = Number(values.micro), jobs = Number(values.jobs);
print(
  `fib: ${micro.toLocaleString("en")} instances of one Module, each instantiated and run(10) once`,
  await fibCase(micro),
);
const real = await icepllCase(jobs);
if (typeof real === "string") console.log(`\n${real}`);
else print(`icepll -i 12 -o 48: ${jobs} jobs, a fresh WASI host and instance each`, real);
console.log(`\nrss ${(Deno.memoryUsage().rss / 1e6).toFixed(0)} MB at the end`);
