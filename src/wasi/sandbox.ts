/**
 * Path resolution inside a preopened directory. The host never hands a guest path to the OS: it
 * walks it one component at a time from the directory it is relative to, looks at each component
 * with lstat, expands symlinks itself and refuses anything that would leave the preopen (`..` above
 * its root, absolute paths, absolute symlink targets). What it returns is a host path made only of
 * real directories, so Deno's permission check on it (the second gate) is exact.
 */
import { join } from "node:path";
import { Errno } from "./constants.ts";
import { fail } from "./errors.ts";
import type { PermissionGate } from "./gate.ts";

/** A host directory given to the guest. `hostPath` is absolute and free of symlinks. */
export interface Preopen {
  guestPath: string;
  hostPath: string;
  readOnly: boolean;
}

/** A place inside a preopen: the components below its root (none for the root itself). */
export interface Location {
  preopen: Preopen;
  parts: string[];
}

export interface Resolved extends Location {
  /** The absolute host path of `parts`. */
  host: string;
  /** lstat of the final component; null when it does not exist (its parent does). */
  info: Deno.FileInfo | null;
  /** The guest path ended in `/` (or `/.`): the final component must be a directory. */
  mustBeDir: boolean;
  /** The last component as written by the guest ("", ".", ".." or a name). */
  lastComponent: string;
}

/** Linux's limits, which programs expect. */
const MAX_SYMLINKS = 40;
const NAME_MAX = 255;
const PATH_MAX = 4096;

const encoder = new TextEncoder();

export function hostPathOf(loc: Location): string {
  return loc.parts.length === 0 ? loc.preopen.hostPath : join(loc.preopen.hostPath, ...loc.parts);
}

/** Splits a guest path into components, dropping empty ones (repeated slashes). */
function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

/** The checks every guest path gets before resolution. */
export function checkGuestPath(path: string): void {
  if (path.includes("\0")) fail(Errno.INVAL);
  if (path === "") fail(Errno.NOENT);
  if (encoder.encode(path).length >= PATH_MAX) fail(Errno.NAMETOOLONG);
  if (path.startsWith("/")) fail(Errno.NOTCAPABLE);
}

/**
 * Resolves `path` relative to `start`. `followLast` follows a symlink in the final component
 * (a trailing slash always does, as in POSIX). Intermediate symlinks are always followed.
 */
export function resolve(start: Location, path: string, followLast: boolean, gate: PermissionGate): Resolved {
  checkGuestPath(path);
  const preopen = start.preopen;
  const stack = [...start.parts];
  // Pending components, last one first, so symlink targets can be pushed in front.
  const pending = components(path).reverse();
  const mustBeDir = path.endsWith("/") || path.endsWith("/.") || path === ".";
  const allComponents = components(path);
  const lastComponent = allComponents.length ? allComponents[allComponents.length - 1] : "";
  let info: Deno.FileInfo | null | undefined = undefined; // undefined: not looked at yet
  let links = 0;
  while (pending.length > 0) {
    const c = pending.pop()!;
    const last = pending.length === 0;
    if (c === ".") {
      info = undefined;
      continue;
    }
    if (c === "..") {
      if (stack.length === 0) fail(Errno.NOTCAPABLE); // would leave the preopen
      stack.pop();
      info = undefined;
      continue;
    }
    if (encoder.encode(c).length > NAME_MAX) fail(Errno.NAMETOOLONG);
    const host = join(hostPathOf({ preopen, parts: stack }), c);
    if (!gate.read(host)) fail(Errno.ACCES);
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(host);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        if (!last) fail(Errno.NOENT);
        stack.push(c);
        return { preopen, parts: stack, host, info: null, mustBeDir, lastComponent };
      }
      throw err;
    }
    if (st.isSymlink && (!last || followLast || mustBeDir)) {
      if (++links > MAX_SYMLINKS) fail(Errno.LOOP);
      const target = Deno.readLinkSync(host);
      if (target === "") fail(Errno.NOENT);
      if (target.startsWith("/")) fail(Errno.NOTCAPABLE); // absolute targets name host paths
      const more = components(target);
      // A target ending in "/" must name a directory: keep that by appending ".".
      if (target.endsWith("/")) more.push(".");
      for (let i = more.length - 1; i >= 0; i--) pending.push(more[i]);
      continue;
    }
    if (!last && !st.isDirectory) fail(Errno.NOTDIR);
    stack.push(c);
    info = st;
  }
  const host = hostPathOf({ preopen, parts: stack });
  if (info === undefined) {
    if (!gate.read(host)) fail(Errno.ACCES);
    info = Deno.lstatSync(host);
  }
  if (mustBeDir && !info.isDirectory) fail(Errno.NOTDIR);
  return { preopen, parts: stack, host, info, mustBeDir, lastComponent };
}

/**
 * Whether a symlink target written at `linkParent` would stay inside the preopen when followed
 * (checked lexically, the way the resolver would walk it; intermediate symlinks are checked again
 * whenever the link is used).
 */
export function symlinkTargetStaysInside(linkParent: string[], target: string): boolean {
  if (target.startsWith("/")) return false;
  let depth = linkParent.length;
  for (const c of components(target)) {
    if (c === ".") continue;
    if (c === "..") {
      if (depth === 0) return false;
      depth--;
    } else depth++;
  }
  return true;
}
