/** The WASI preview1 host: the `WASI` class and what embedders need around it. */
export { type InstanceLike, isWasiExit, type PreopenOptions, WASI, type WASIOptions } from "./wasi.ts";
export type { HostFunction, HostFunctions } from "./functions.ts";
export type { MemoryLike } from "./memory.ts";
export {
  BufferSink,
  type ByteSink,
  type ByteSource,
  BytesSource,
  type StdinOption,
  type StdoutOption,
} from "./stdio.ts";
export { Errno, errnoName } from "./constants.ts";
export { WasiExit } from "./errors.ts";
export {
  type Access,
  describeRefusal,
  oncePerPath,
  type PermissionGate,
  type PermissionRefusal,
} from "./gate.ts";
export { parseTraceScopes, TRACE_SCOPES, type TraceScope } from "./trace.ts";
export { PREVIEW1_FUNCTIONS, UNSTABLE_FUNCTIONS } from "./imports.ts";
