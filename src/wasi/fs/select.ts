/** Chooses the file system backend of a WASI instance (see `fsBackend` in WASIOptions). */
import type { PermissionGate } from "../gate.ts";
import { DenoBackend } from "./deno.ts";
import { nativeUnavailable } from "./libc.ts";
import { NativeBackend } from "./native.ts";
import type { FsBackend } from "./types.ts";

export type FsBackendChoice = "auto" | "native" | "deno";

export function createBackend(choice: FsBackendChoice, gate: PermissionGate): FsBackend {
  if (choice === "deno") return new DenoBackend(gate);
  const why = nativeUnavailable();
  if (why === undefined) return new NativeBackend();
  if (choice === "native") throw new Error(`the native file system backend cannot be used: ${why}`);
  return new DenoBackend(gate);
}
