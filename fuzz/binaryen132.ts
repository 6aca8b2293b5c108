/**
 * binaryen 132's `wasm-opt` (from the npm package `binaryen`, pinned below), run inside this
 * process. Debian's binaryen 108 cannot write most of Wasm 3.0 (exnref exceptions, multiple memories
 * with memory64…); the npm package ships the same tools built with emscripten as node scripts
 * (`bin/wasm-opt`). Starting one per module would cost a node start-up and a 10 MB wasm compile each
 * time (about 0.6 s), so the script is compiled once here as a function and called per run with
 * a fresh emscripten `Module`: the wasm is compiled once and only instantiated per run (40–100 ms a
 * module). It reads and writes real files (the build uses NODERAWFS), through `node:fs`.
 *
 * (The package's `wasm-reduce` cannot run at all: it needs `system()`, which emscripten lacks.)
 */
import { createRequire } from "node:module";
import process from "node:process";

export const BINARYEN_NPM = "npm:binaryen@132.0.0";

/** Where Deno keeps the package's files; fetches the package (once) when they are not there. */
async function packageDir(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .output();
  const npmCache = JSON.parse(new TextDecoder().decode(info.stdout)).npmCache as string;
  const dir = `${npmCache}/registry.npmjs.org/binaryen/132.0.0`;
  try {
    await Deno.stat(`${dir}/bin/wasm-opt`);
  } catch {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["cache", "--no-lock", "--quiet", BINARYEN_NPM],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`cannot fetch ${BINARYEN_NPM}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
  }
  return dir;
}

/** The emscripten glue, compiled once: called with a fresh Module object for every run. */
type Factory = (
  module: Record<string, unknown>,
  require: unknown,
  process: unknown,
  filename: string,
  dirname: string,
  wasm: unknown,
) => Promise<number>;

export interface ToolResult {
  /** main's exit status (0 on success). */
  status: number;
  stdout: string;
  stderr: string;
}

export class Binaryen132Tool {
  #factory: Factory;
  #path: string;
  #compiled?: WebAssembly.Module;
  #wasm: Record<string, unknown>;

  private constructor(factory: Factory, path: string) {
    this.#factory = factory;
    this.#path = path;
    // The glue instantiates through the `WebAssembly` it is given: the first run compiles, and
    // every later run passes `instantiateWasm` and never decodes the embedded binary again.
    const wasm: Record<string, unknown> = {};
    for (const key of Object.getOwnPropertyNames(WebAssembly)) {
      wasm[key] = (WebAssembly as unknown as Record<string, unknown>)[key];
    }
    wasm.instantiate = (binary: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports) => {
      this.#compiled ??= new WebAssembly.Module(binary);
      return Promise.resolve({
        module: this.#compiled,
        instance: new WebAssembly.Instance(this.#compiled, imports),
      });
    };
    this.#wasm = wasm;
  }

  /** Loads one of the package's tools (`wasm-opt`, `wasm-dis`, …). */
  static async load(tool = "wasm-opt"): Promise<Binaryen132Tool> {
    const path = `${await packageDir()}/bin/${tool}`;
    let text = await Deno.readTextFile(path);
    text = text.replace(/^#!.*\n/, "");
    const tail = "createWasm().then(()=>run());";
    if (!text.includes(tail)) throw new Error(`${path}: not the emscripten build this loader knows`);
    // Hand the run's promise, and main's exit status, back to the caller.
    text = text.replace(tail, "return createWasm().then(()=>run()).then(()=>EXITSTATUS);");
    const factory = new Function(
      "Module",
      "require",
      "process",
      "__filename",
      "__dirname",
      "WebAssembly",
      text,
    );
    return new Binaryen132Tool(factory as Factory, path);
  }

  /** Runs the tool's main with `args`; files named in them are the real files. */
  async run(args: string[]): Promise<ToolResult> {
    let exitCode = 0;
    // emscripten sets process.exitCode when main returns: keep it away from this process's.
    const proc = new Proxy(process, {
      get(target, key) {
        if (key === "exitCode") return exitCode;
        if (key === "argv") return ["node", "wasm-opt"];
        const value = (target as unknown as Record<string | symbol, unknown>)[key];
        return typeof value === "function" ? value.bind(target) : value;
      },
      set(target, key, value) {
        if (key === "exitCode") exitCode = value;
        else (target as unknown as Record<string | symbol, unknown>)[key] = value;
        return true;
      },
    });
    const out: string[] = [], err: string[] = [];
    const module: Record<string, unknown> = {
      arguments: args,
      thisProgram: "wasm-opt",
      print: (s: string) => void out.push(s),
      printErr: (s: string) => void err.push(s),
    };
    const compiled = this.#compiled;
    if (compiled) {
      module.instantiateWasm = (
        imports: WebAssembly.Imports,
        receive: (instance: WebAssembly.Instance) => void,
      ) => {
        receive(new WebAssembly.Instance(compiled, imports));
        return {};
      };
    }
    const dir = this.#path.slice(0, this.#path.lastIndexOf("/"));
    let status: number;
    try {
      status = await this.#factory(module, createRequire(import.meta.url), proc, this.#path, dir, this.#wasm);
    } catch (e) {
      // An abort (a C++ assertion or a trap in the tool): a failed run, not ours to throw.
      err.push(String((e as Error)?.message ?? e));
      status = 134;
    }
    return { status: status || exitCode, stdout: out.join("\n"), stderr: err.join("\n") };
  }
}

let shared: Promise<Binaryen132Tool> | undefined;

/** The process's one wasm-opt 132. */
export function wasmOpt132(): Promise<Binaryen132Tool> {
  return shared ??= Binaryen132Tool.load("wasm-opt");
}
