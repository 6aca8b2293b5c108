/**
 * `deno task bench:wasi`: what the WASI host's file system calls cost, per backend, against
 * Deno's built-in `node:wasi` in the same process. The guest (`fsops.wasm`, built from fsops.c by
 * `sh bench/wasi/build.sh`) runs on V8 everywhere, so only the host differs. Each round opens,
 * reads and closes a file, stats it, creates and removes a directory, and lists 100 entries.
 *
 *   deno run -A bench/wasi/run.ts [--rounds N] [--runs N]
 */
import { parseArgs } from "node:util";
import { closeSync, openSync } from "node:fs";
import { WASI as NodeWasi } from "node:wasi";
import { BufferSink, WASI } from "../../src/wasi/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { rounds: { type: "string", default: "2000" }, runs: { type: "string", default: "3" } },
});
const rounds = Number(values.rounds), runs = Number(values.runs);
const bytes = await Deno.readFile(new URL("./fsops.wasm", import.meta.url));
const module = new WebAssembly.Module(bytes);

const dir = Deno.makeTempDirSync({ prefix: "wasi_bench_" });
Deno.mkdirSync(`${dir}/a/b`, { recursive: true });
Deno.writeTextFileSync(`${dir}/a/b/file.txt`, "x".repeat(200));
Deno.mkdirSync(`${dir}/many`);
for (let i = 0; i < 100; i++) Deno.writeTextFileSync(`${dir}/many/f${i}`, "");

type Host = { name: string; run: () => string };

function ours(backend: "native" | "deno"): Host {
  return {
    name: `wasmrun WASI (${backend})`,
    run() {
      const out = new BufferSink();
      const wasi = new WASI({
        args: ["fsops", String(rounds)],
        preopens: { "/data": dir },
        stdout: out,
        fsBackend: backend,
      });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
      const code = wasi.start(instance as { exports: Record<string, unknown> });
      if (code !== 0) throw new Error(`exit ${code}`);
      return out.text().trim();
    },
  };
}

const node: Host = {
  name: "node:wasi",
  run() {
    // node:wasi writes to real fds only: its output is not compared.
    const devNull = openSync("/dev/null", "w");
    try {
      const args = ["fsops", String(rounds)];
      const wasi = new NodeWasi({ version: "preview1", args, preopens: { "/data": dir }, stdout: devNull });
      const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
      wasi.start(instance);
    } finally {
      closeSync(devNull);
    }
    return "";
  },
};

function best(host: Host): { seconds: number; out: string } {
  let seconds = Infinity, out = "";
  host.run(); // warm-up
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    out = host.run();
    seconds = Math.min(seconds, (performance.now() - t) / 1000);
  }
  return { seconds, out };
}

const hosts = [node, ours("native"), ours("deno")];
const results = hosts.map((h) => ({ name: h.name, ...best(h) }));
const reference = results[0].seconds;
console.log(`${rounds} rounds (open+read+close, stat, mkdir+rmdir, readdir of 100), best of ${runs}`);
console.log("host                       seconds   µs/round   /node:wasi");
for (const r of results) {
  console.log(
    `${r.name.padEnd(26)} ${r.seconds.toFixed(3).padStart(7)} ${
      (r.seconds / rounds * 1e6).toFixed(1).padStart(10)
    } ${(r.seconds / reference).toFixed(2).padStart(11)}×`,
  );
}
const outs = new Set(results.slice(1).map((r) => r.out));
if (outs.size !== 1) throw new Error(`the backends disagree: ${[...outs].join(" / ")}`);
Deno.removeSync(dir, { recursive: true });
