/** `wasmrun validate`: exit 0 for a valid module, 1 with the CompileError otherwise. */
import type { EngineLike } from "./engine.ts";
import type { CliIo } from "./io.ts";
import { compileModule, readModuleBytes } from "./load.ts";

export function runValidate(path: string, _io: CliIo, engine: EngineLike): number {
  compileModule(engine, path, readModuleBytes(path));
  return 0;
}
