/**
 * The second gate: before the host touches a path it asks Deno whether the process was granted that
 * access. `querySync` never prompts, so a missing grant becomes an errno for that one call instead of
 * an interactive prompt or a thrown `NotCapable` halfway through an operation.
 */

export interface PermissionGate {
  /** May the host read (stat, open for reading, list, readlink) this absolute host path? */
  read(path: string): boolean;
  /** May the host write (create, modify, remove) this absolute host path? */
  write(path: string): boolean;
  /** May the host create symlinks? Deno requires unscoped read and write for that. */
  symlink(): boolean;
}

function granted(desc: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(desc).state === "granted";
}

/** Asks Deno for every access. */
export const denoGate: PermissionGate = {
  read: (path) => granted({ name: "read", path }),
  write: (path) => granted({ name: "write", path }),
  symlink: () => granted({ name: "read" }) && granted({ name: "write" }),
};

/** Lets everything through: for embedders that run without Deno's permission system in the way. */
export const openGate: PermissionGate = {
  read: () => true,
  write: () => true,
  symlink: () => true,
};

/** Whether the process may read the environment variable `name` (never prompts). */
export function envGranted(name: string): boolean {
  return granted({ name: "env", variable: name });
}

/** What a refusal was about: reading or writing a path, or creating a symlink at one. */
export type Access = "read" | "write" | "symlink";

/**
 * A host access that a permission check refused, so the guest's call failed with EACCES (given to
 * the `onPermissionDenied` option of `WASI`). Not part of node:wasi.
 */
export interface PermissionRefusal {
  /** What was refused. */
  access: Access;
  /** The absolute host path it was refused for. */
  path: string;
  /** The WASI function whose call failed (`path_open`). */
  call: string;
  /** Who refused: Deno's permissions (the default gate, or Deno itself), or a custom gate. */
  by: "deno" | "gate";
}

/**
 * One line for a refusal, saying what to add to deno's flags, e.g.
 * `Deno refused write access to /tmp/x (the program got EACCES); add --allow-write=/tmp/x`.
 */
export function describeRefusal(r: PermissionRefusal): string {
  if (r.by === "gate") {
    return `the permission gate refused ${r.access} access to ${r.path} (the program got EACCES)`;
  }
  if (r.access === "symlink") {
    return `Deno refused to create a symlink at ${r.path} (the program got EACCES); ` +
      "symlinks need --allow-read and --allow-write without a path list";
  }
  // A path the user denied on purpose (--deny-read, --deny-write) needs no advice to allow it.
  if (Deno.permissions.querySync({ name: r.access, path: r.path }).state === "denied") {
    return `Deno refused ${r.access} access to ${r.path} (the program got EACCES): --deny-${r.access} covers it`;
  }
  return `Deno refused ${r.access} access to ${r.path} (the program got EACCES); ` +
    `add --allow-${r.access}=${r.path}`;
}

/**
 * A refusal handler that passes each (path, access) on once: a program retrying the same file in a
 * loop must not flood stderr. For the command line's `wasmrun: …` notices.
 */
export function oncePerPath(
  report: (r: PermissionRefusal) => void,
): (r: PermissionRefusal) => void {
  const seen = new Set<string>();
  return (r) => {
    const key = `${r.access}\0${r.path}`;
    if (seen.has(key)) return;
    seen.add(key);
    report(r);
  };
}
