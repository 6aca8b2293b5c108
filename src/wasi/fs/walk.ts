/**
 * Path resolution one component at a time, below a directory that is the root of the walk. Each
 * component is looked at without following it (lstat), symlinks are expanded here (their target
 * judged where it is followed), and each directory on the way is entered through the backend's
 * own handle for it — a path string (Deno backend) or a real descriptor opened with O_NOFOLLOW
 * (native backend). `..` goes back to the handle of the directory entered before, so it never
 * climbs above the root, whatever the file system looks like by then.
 */
import { Errno, FileType } from "../constants.ts";
import { fail } from "../errors.ts";
import type { Filestat } from "../filestat.ts";

/** Linux's limits, which programs expect. */
export const MAX_SYMLINKS = 40;
const NAME_MAX = 255;
const PATH_MAX = 4096;

const encoder = new TextEncoder();

/** Splits a guest path into components, dropping empty ones (repeated slashes). */
export function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

/** The checks every guest path gets before resolution. */
export function checkGuestPath(path: string): void {
  if (path.includes("\0")) fail(Errno.INVAL);
  if (path === "") fail(Errno.NOENT);
  if (encoder.encode(path).length >= PATH_MAX) fail(Errno.NAMETOOLONG);
  if (path.startsWith("/")) fail(Errno.NOTCAPABLE);
}

/** A path that must name a directory: it ends in `/`, `/.` or is `.`. */
export function namesDirectory(path: string): boolean {
  return path.endsWith("/") || path.endsWith("/.") || path === ".";
}

/** The last component as written ("" when there is none). */
export function lastComponentOf(path: string): string {
  const all = components(path);
  return all.length ? all[all.length - 1] : "";
}

/** Fails unless `c` fits NAME_MAX. */
export function checkName(c: string): void {
  if (encoder.encode(c).length > NAME_MAX) fail(Errno.NAMETOOLONG);
}

/** The primitives a walk needs, on handles `D` of directories. */
export interface WalkOps<D> {
  /** lstat of `name` in `dir`; null when it does not exist. */
  lstat(dir: D, name: string): Filestat | null;
  /** The target of symlink `name` in `dir`. */
  readlink(dir: D, name: string): string;
  /** A handle for subdirectory `name` of `dir`, entered without following a symlink. */
  enter(dir: D, name: string): D;
  /** Releases a handle `enter` made. */
  release(dir: D): void;
  stat(dir: D): Filestat;
}

/** Where a walk ended: `name` in `parent` (which the caller must release unless it is the root). */
export interface WalkResult<D> {
  parent: D;
  name: string;
  info: Filestat | null;
  isRoot: boolean;
  /** Directories between the root and the parent. */
  depth: number;
}

/**
 * Resolves `path` below `root`. `followLast` follows a symlink in the final component (a trailing
 * slash always does, as in POSIX); intermediate symlinks are always followed.
 */
export function walk<D>(ops: WalkOps<D>, root: D, path: string, followLast: boolean): WalkResult<D> {
  checkGuestPath(path);
  const stack: D[] = [root];
  const mustBeDir = namesDirectory(path);
  // Pending components, last one first, so symlink targets can be pushed in front.
  const pending = components(path).reverse();
  let links = 0;
  let result: WalkResult<D> | undefined;
  try {
    while (pending.length > 0 && result === undefined) {
      const c = pending.pop()!;
      if (c === ".") continue;
      if (c === "..") {
        if (stack.length === 1) fail(Errno.NOTCAPABLE); // would leave the root
        ops.release(stack.pop()!);
        continue;
      }
      checkName(c);
      const top = stack[stack.length - 1];
      const last = pending.length === 0;
      const info = ops.lstat(top, c);
      if (info === null) {
        if (!last) fail(Errno.NOENT);
        result = { parent: top, name: c, info: null, isRoot: false, depth: stack.length - 1 };
      } else if (info.filetype === FileType.SYMBOLIC_LINK && (!last || followLast || mustBeDir)) {
        if (++links > MAX_SYMLINKS) fail(Errno.LOOP);
        const target = ops.readlink(top, c);
        if (target === "") fail(Errno.NOENT);
        if (target.startsWith("/")) fail(Errno.NOTCAPABLE); // absolute targets name host paths
        const more = components(target);
        // A target ending in "/" must name a directory: keep that by appending ".".
        if (target.endsWith("/")) more.push(".");
        for (let i = more.length - 1; i >= 0; i--) pending.push(more[i]);
      } else if (last) {
        if (mustBeDir && info.filetype !== FileType.DIRECTORY) fail(Errno.NOTDIR);
        result = { parent: top, name: c, info, isRoot: false, depth: stack.length - 1 };
      } else {
        if (info.filetype !== FileType.DIRECTORY) fail(Errno.NOTDIR);
        stack.push(ops.enter(top, c));
      }
    }
    // Nothing left: the path names the directory on top of the stack itself.
    const top = stack[stack.length - 1];
    const depth = stack.length - 1;
    result ??= { parent: top, name: ".", info: ops.stat(top), isRoot: depth === 0, depth };
  } catch (err) {
    for (let i = stack.length - 1; i > 0; i--) ops.release(stack[i]);
    throw err;
  }
  // What lies between the root and the parent is done with; the parent goes to the caller.
  for (let i = stack.length - 2; i > 0; i--) ops.release(stack[i]);
  return result;
}

/**
 * The lexical depth of `path` below its root (`..` counted back, never below 0): how far up a
 * symlink target created there may climb and still name something below the root.
 */
export function depthOf(path: string): number {
  let depth = 0;
  for (const c of components(path)) {
    if (c === "..") depth = Math.max(0, depth - 1);
    else if (c !== ".") depth++;
  }
  return depth;
}

/** Whether symlink `target`, created `depth` directories below the root, stays below it. */
export function targetStaysInside(depth: number, target: string): boolean {
  if (target.startsWith("/")) return false;
  let d = depth;
  for (const c of components(target)) {
    if (c === "..") {
      if (d === 0) return false;
      d--;
    } else if (c !== ".") d++;
  }
  return true;
}
