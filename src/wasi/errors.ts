/**
 * How failures travel inside the host: a function throws `WasiError(errno)` and the wrapper around
 * every import turns it into the returned errno. Host (Deno) errors are mapped by their POSIX code.
 */
import { Errno } from "./constants.ts";
import type { Access } from "./gate.ts";

export class WasiError extends Error {
  constructor(
    readonly errno: number,
    message?: string,
    /** Set when a permission check caused this EACCES: what was refused (see `refused`). */
    readonly refusal?: { access: Access; path: string },
  ) {
    super(message ?? `errno ${errno}`);
    this.name = "WasiError";
  }
}

/**
 * Fails with EACCES because the permission gate refused `access` to host path `path`; the wrapper
 * of every import reports it (the `onPermissionDenied` option, `--trace`).
 */
export function refused(access: Access, path: string): never {
  throw new WasiError(Errno.ACCES, `${access} access to ${path} refused`, { access, path });
}

/** The refusal in a Deno `NotCapable` error ("Requires write access to "/x", run again with …"). */
export function denoRefusal(err: unknown): { access: Access; path: string } | undefined {
  if ((err as { name?: unknown })?.name !== "NotCapable") return undefined;
  const m = /Requires (read|write) access to "([^"]*)"/.exec(String((err as Error).message));
  return m ? { access: m[1] as Access, path: m[2] } : undefined;
}

/** Shorthand for `throw new WasiError(errno)`. */
export function fail(errno: number): never {
  throw new WasiError(errno);
}

/** Thrown by `proc_exit` (and fatal `proc_raise`) to unwind the guest; `WASI.start` catches it. */
export class WasiExit extends Error {
  /** `code` is the guest's exit status as given to proc_exit (an unsigned 32-bit value). */
  constructor(readonly code: number) {
    super(`exit with code ${code}`);
    this.name = "WasiExit";
  }
}

const byPosixName = new Map<string, number>(
  Object.entries(Errno).map(([name, value]) => [name === "TOOBIG" ? "E2BIG" : `E${name}`, value]),
);
// Linux spells a few codes differently from WASI.
byPosixName.set("EWOULDBLOCK", Errno.AGAIN);
byPosixName.set("EOPNOTSUPP", Errno.NOTSUP);

/**
 * The errno for an error thrown while touching the host, or undefined when it is not a host error
 * (a bug in the host itself should surface, not turn into EIO).
 */
export function errnoOf(err: unknown): number | undefined {
  if (err instanceof WasiError) return err.errno;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string") {
    const errno = byPosixName.get(code);
    if (errno !== undefined) return errno;
  }
  const name = (err as { name?: unknown })?.name;
  switch (name) {
    case "NotCapable": // Deno permission refused: to the guest it is an access error
    case "PermissionDenied":
      return Errno.ACCES;
    case "NotFound":
      return Errno.NOENT;
    case "AlreadyExists":
      return Errno.EXIST;
    case "IsADirectory":
      return Errno.ISDIR;
    case "NotADirectory":
      return Errno.NOTDIR;
    case "InvalidData":
      return Errno.INVAL;
    case "FilesystemLoop":
      return Errno.LOOP;
    case "BrokenPipe":
      return Errno.PIPE;
    case "WouldBlock":
      return Errno.AGAIN;
  }
  if (typeof code === "string" || err instanceof Deno.errors.Interrupted) return Errno.IO;
  return undefined;
}
