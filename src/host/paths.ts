/**
 * Host paths, the few operations the runtime needs, in one place (instead of `node:path` and
 * `node:url`: importing any of Deno's Node modules first loads its Node compatibility layer, about
 * 60–90 ms of every run's start-up here, more than Deno's own start).
 *
 * The parts joined are a directory and plain names (no separators, no `.` or `..`): nothing to
 * normalize. On Windows the separator is `\`, and `/` is taken as one too.
 */

const WINDOWS = Deno.build.os === "windows";
const SEP = WINDOWS ? "\\" : "/";

function endsWithSeparator(path: string): boolean {
  return path.endsWith("/") || (WINDOWS && path.endsWith("\\"));
}

/** `dir` and then each of `names`, separated once. */
export function joinPath(dir: string, ...names: string[]): string {
  let path = dir;
  for (const name of names) {
    path = path === "" ? name : endsWithSeparator(path) ? path + name : path + SEP + name;
  }
  return path;
}

/** The directory holding absolute `path` (`/` for a name at the root, and for the root itself). */
export function parentPath(path: string): string {
  const cut = WINDOWS ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) : path.lastIndexOf("/");
  if (cut < 0) return ".";
  if (cut === 0) return path.slice(0, 1);
  const parent = path.slice(0, cut);
  return WINDOWS && /^[A-Za-z]:$/.test(parent) ? parent + SEP : parent;
}

/** The host path of a `file:` URL. */
export function pathOfFileUrl(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  // file:///C:/dir is C:\dir; a host (file://server/share) is a UNC path.
  if (!WINDOWS) return path;
  const local = path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\");
  return url.hostname ? `\\\\${url.hostname}${local}` : local;
}
