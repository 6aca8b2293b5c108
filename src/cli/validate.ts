/** `wasmrun validate`: exit 0 for a valid module (binary or text), 1 with the CompileError otherwise. */
import type { EngineLike } from "./engine.ts";
import type { CliIo } from "./io.ts";
import { compileModule, readModuleBytes } from "./load.ts";

export async function runValidate(path: string, _io: CliIo, engine: EngineLike): Promise<number> {
  compileModule(engine, path, await readModuleBytes(path));
  return 0;
}
