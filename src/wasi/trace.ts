/**
 * Host-call tracing (wasmrun's `--trace`, like wazero's host logging): every WASI call gives one
 * line with its decoded arguments before it runs, and one with the errno and the values it wrote
 * through its result pointers after it returns:
 *
 *     ==> fd_write(fd=1, iovs=0x1000, iovs_len=1, nwritten=0x2000)
 *     <== errno=SUCCESS nwritten=12
 *
 * proc_exit does not return, so it has no `<==` line.
 */
import { errnoName, FileType } from "./constants.ts";
import type { HostFunction } from "./functions.ts";
import type { GuestMemory } from "./memory.ts";
import { type ParamKind, TRACE_SIGNATURES } from "./trace_signatures.ts";

/** Receives each trace line, without its newline. */
export type TraceSink = (line: string) => void;

/** Where a filestat's `size` field is: the two namespaces lay the struct out differently. */
export type FilestatLayout = "preview1" | "unstable";

const FILE_TYPES = new Map<number, string>(Object.entries(FileType).map(([k, v]) => [v, k]));
const lossy = new TextDecoder();
const MAX_STRING = 200;

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > MAX_STRING ? text.slice(0, MAX_STRING) + "…" : text);
}

function u64(v: unknown): bigint {
  return BigInt.asUintN(64, BigInt(v as bigint));
}

function guestString(mem: GuestMemory | undefined, ptr: number, len: number): string {
  try {
    if (!mem) throw new Error("no memory");
    return quote(lossy.decode(mem.bytes(ptr, len)));
  } catch {
    return `${hex(ptr >>> 0)}(len ${len >>> 0})`;
  }
}

function formatParam(kind: Exclude<ParamKind, "path">, v: unknown): string {
  switch (kind) {
    case "fd":
    case "u32":
      return String((v as number) >>> 0);
    case "ptr":
    case "flags":
      return hex((v as number) >>> 0);
    case "u64":
      return String(u64(v));
    case "s64":
      return String(BigInt.asIntN(64, BigInt(v as bigint)));
    case "rights":
      return hex(u64(v));
  }
}

function readResult(
  mem: GuestMemory,
  kind: string,
  ptr: number,
  layout: FilestatLayout,
  args: Map<string, number>,
) {
  switch (kind) {
    case "u16":
      return String(mem.u16(ptr));
    case "u32":
    case "fd":
      return String(mem.u32(ptr));
    case "u64":
      return String(mem.u64(ptr));
    case "fdstat":
      return `{filetype=${FILE_TYPES.get(mem.u8(ptr)) ?? mem.u8(ptr)} flags=${hex(mem.u16(ptr + 2))}}`;
    case "filestat": {
      const type = mem.u8(ptr + 16);
      const size = mem.u64(ptr + (layout === "preview1" ? 32 : 24));
      return `{filetype=${FILE_TYPES.get(type) ?? type} size=${size}}`;
    }
    case "prestat":
      return `{tag=${mem.u8(ptr)} pr_name_len=${mem.u32(ptr + 4)}}`;
  }
  if (kind.startsWith("str:")) return guestString(mem, ptr, args.get(kind.slice(4)) ?? 0);
  return "?";
}

/**
 * Wraps host function `name` so that each call is traced to `sink`. `memory` gives the guest's
 * memory when it is bound (a call before that is still traced, with pointers left undecoded).
 */
export function traced(
  name: string,
  fn: HostFunction,
  memory: () => GuestMemory | undefined,
  layout: FilestatLayout,
  sink: TraceSink,
): HostFunction {
  const sig = TRACE_SIGNATURES[name];
  if (!sig) throw new Error(`internal: no trace signature for ${name}`);
  return (...raw: unknown[]) => {
    const mem = memory();
    const shown: string[] = [];
    // Pointer parameters by name, for reading results afterwards.
    const values = new Map<string, number>();
    let i = 0;
    for (const { name: param, kind } of sig.params) {
      if (kind === "path") {
        shown.push(`${param}=${guestString(mem, raw[i] as number, raw[i + 1] as number)}`);
        i += 2;
        continue;
      }
      if (typeof raw[i] === "number") values.set(param, raw[i] as number);
      shown.push(`${param}=${formatParam(kind, raw[i])}`);
      i++;
    }
    sink(`==> ${name}(${shown.join(", ")})`);
    let errno: number | void;
    try {
      errno = fn(...raw);
    } catch (err) {
      const what = (err as { name?: unknown })?.name === "WasiExit" ? undefined : err;
      if (what !== undefined) sink(`<== threw ${String((what as Error)?.message ?? what)}`);
      throw err;
    }
    const parts = [`errno=${errnoName(errno ?? 0)}`];
    if (!errno) {
      const after = memory();
      for (const { param, kind } of sig.results) {
        let text: string;
        try {
          text = after ? readResult(after, kind, values.get(param)! >>> 0, layout, values) : "?";
        } catch {
          text = "?";
        }
        parts.push(`${param}=${text}`);
      }
    }
    sink(`<== ${parts.join(" ")}`);
    return errno;
  };
}
