/** `wasmrun validate`: exit 0 for a valid module (binary or text), 1 with the CompileError otherwise. */
import type { EngineLike } from "./engine.ts";
import type { CliIo } from "./io.ts";
import { compileModule, moduleLabel, readModuleBytes } from "./load.ts";

export async function runValidate(path: string, io: CliIo, engine: EngineLike): Promise<number> {
  compileModule(engine, moduleLabel(path), await readModuleBytes(path, io.stdin));
  return 0;
}
