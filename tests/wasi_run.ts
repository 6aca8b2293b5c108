/**
 * Runs a WASI command module with the WASI class on Deno's built-in WebAssembly (the host is
 * engine-independent; the CLI tests run it on wasmrun's engine), capturing its output.
 */
import { BufferSink, WASI, type WASIOptions } from "../src/wasi/mod.ts";

export const FIXTURES = new URL("./fixtures/wasi/", import.meta.url).pathname;

const modules = new Map<string, WebAssembly.Module>();

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runWasi(name: string, options: WASIOptions = {}): RunResult {
  let module = modules.get(name);
  if (!module) {
    module = new WebAssembly.Module(Deno.readFileSync(`${FIXTURES}${name}.wasm`));
    modules.set(name, module);
  }
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const wasi = new WASI({ args: [name], stdin: "", stdout, stderr, ...options });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports);
  const code = wasi.start(instance);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A temporary base directory holding `sandbox/` (preopened) and a sibling `outside/`. */
export function escapeScene(): { base: string; sandbox: string; outside: string } {
  const base = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_escape_" }));
  const sandbox = `${base}/sandbox`, outside = `${base}/outside`;
  Deno.mkdirSync(`${sandbox}/sub`, { recursive: true });
  Deno.mkdirSync(outside);
  Deno.writeTextFileSync(`${outside}/secret`, "SECRET");
  Deno.writeTextFileSync(`${sandbox}/mine`, "mine");
  Deno.symlinkSync(`${outside}/secret`, `${sandbox}/abs_link`);
  Deno.symlinkSync("../outside/secret", `${sandbox}/rel_link`);
  Deno.symlinkSync("/", `${sandbox}/root_link`);
  Deno.symlinkSync("chain_b", `${sandbox}/chain_a`);
  Deno.symlinkSync("sub/chain_c", `${sandbox}/chain_b`);
  Deno.symlinkSync("../../outside/secret", `${sandbox}/sub/chain_c`);
  Deno.symlinkSync("..", `${sandbox}/parent_link`);
  return { base, sandbox, outside };
}

export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of [...Deno.readDirSync(d)].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(prefix + e.name);
      if (e.isDirectory) walk(`${d}/${e.name}`, `${prefix}${e.name}/`);
    }
  };
  walk(dir, "");
  return out;
}
