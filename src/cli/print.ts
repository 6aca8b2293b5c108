/**
 * `wasmrun print [--folded] <module>`: the module as WebAssembly text on stdout, like `wasm-tools
 * print`. A text file is parsed first, so this also shows how wasmrun reads it. Nothing is validated.
 */
import { errorMessage, errorName } from "./engine.ts";
import { CliFailure } from "./failure.ts";
import { type CliIo, writeAll } from "./io.ts";
import { internalErrorLine, loadModule, moduleLabel, oneLine } from "./load.ts";

export async function runPrint(source: string, folded: boolean, io: CliIo): Promise<number> {
  const { bytes } = await loadModule(source, io.stdin);
  const path = moduleLabel(source);
  // Loaded here, not at start-up: only this command prints.
  const { printWat } = await import("../text/print.ts");
  let text: string;
  try {
    text = printWat(bytes, { folded });
  } catch (err) {
    if (errorName(err) === "CompileError") {
      throw new CliFailure(`${path}: invalid module: ${oneLine(errorMessage(err))}`);
    }
    throw new CliFailure(internalErrorLine(`printing ${path}`, err));
  }
  writeAll(io.stdout, text);
  return 0;
}
