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
