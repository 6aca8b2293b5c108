/** Chooses the file system backend of a WASI instance (see `fsBackend` in WASIOptions). */
import type { PermissionGate } from "../gate.ts";
import { DenoBackend } from "./deno.ts";
import { nativeUnavailable } from "./libc.ts";
import { NativeBackend } from "./native.ts";
import type { FsBackend } from "./types.ts";

export type FsBackendChoice = "auto" | "native" | "deno";

/**
 * How the native backend resolves paths: "openat2" (falling back to "walk" on kernels without
 * it). Tests set "walk" to exercise the fallback on a kernel that has openat2.
 */
export const nativeResolver: { use: "openat2" | "walk" } = { use: "openat2" };

export function createBackend(choice: FsBackendChoice, gate: PermissionGate): FsBackend {
  if (choice === "deno") return new DenoBackend(gate);
  const why = nativeUnavailable();
  if (why === undefined) return new NativeBackend({ resolver: nativeResolver.use });
  if (choice === "native") throw new Error(`the native file system backend cannot be used: ${why}`);
  return new DenoBackend(gate);
}
