// Runs WASI fixture programs under Node's node:wasi for comparison with wasmrun's host.
// Usage: node tests/wasi_node_runner.mjs < jobs.json, where jobs is
// [{ wasm, args, env, preopens, stdin }]; prints [{ code, stdout, stderr } | { error }] as JSON.
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";

const jobs = JSON.parse(readFileSync(0, "utf8"));
const results = [];
const tmp = (name) => join(tmpdir(), `wasi_node_${process.pid}_${name}`);
for (const job of jobs) {
  const files = { in: tmp("in"), out: tmp("out"), err: tmp("err") };
  writeFileSync(files.in, job.stdin ?? "");
  writeFileSync(files.out, "");
  writeFileSync(files.err, "");
  const fds = [openSync(files.in, "r"), openSync(files.out, "w"), openSync(files.err, "w")];
  try {
    const wasi = new WASI({
      version: "preview1",
      args: job.args ?? [],
      env: job.env ?? {},
      preopens: job.preopens ?? {},
      stdin: fds[0],
      stdout: fds[1],
      stderr: fds[2],
      returnOnExit: true,
    });
    const module = new WebAssembly.Module(readFileSync(job.wasm));
    const instance = new WebAssembly.Instance(module, wasi.getImportObject());
    const code = wasi.start(instance);
    results.push({ code, stdout: readFileSync(files.out, "utf8"), stderr: readFileSync(files.err, "utf8") });
  } catch (err) {
    results.push({ error: String(err) });
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}
process.stdout.write(JSON.stringify(results));
