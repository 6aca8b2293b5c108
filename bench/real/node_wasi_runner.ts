/**
 * Runs a WASI preview1 command on Deno's own `node:wasi` and V8's WebAssembly: the reference
 * that `deno task bench:real` compares wasmrun with. Same argument shape as `wasmrun exec`:
 *
 *   deno run -A bench/real/node_wasi_runner.ts [--dir HOST::GUEST]... [--argv0 NAME] module.wasm [args...]
 *
 * Exits with the program's exit code.
 */
import { WASI } from "node:wasi";

const preopens: Record<string, string> = {};
let argv0: string | undefined;
let i = 0;
for (; i < Deno.args.length; i++) {
  const arg = Deno.args[i];
  if (arg === "--dir") {
    const [host, guest = host] = Deno.args[++i].split("::");
    preopens[guest] = host;
  } else if (arg === "--argv0") {
    argv0 = Deno.args[++i];
  } else break;
}
const [path, ...args] = Deno.args.slice(i);
if (!path || path === "--help") {
  console.error("usage: node_wasi_runner.ts [--dir HOST::GUEST]... [--argv0 NAME] module.wasm [args...]");
  Deno.exit(path ? 0 : 2);
}

const wasi = new WASI({
  version: "preview1",
  args: [argv0 ?? path, ...args],
  env: {},
  preopens,
  returnOnExit: true,
});
const module = await WebAssembly.compile(await Deno.readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
Deno.exit(wasi.start(instance));
