/**
 * Host-call tracing (wasmrun's `--trace`, like wazero's host logging): every WASI call gives one
 * line with its decoded arguments before it runs, and one with the errno and the values it wrote
 * through its result pointers after it returns:
 *
 *     ==> fd_write(fd=1, iovs=0x1000, iovs_len=1, nwritten=0x2000)
 *     <== errno=SUCCESS nwritten=12
 *
 * Flags and enumerations are shown by name (`oflags=CREAT|TRUNC`, `whence=END`), and an EACCES
 * that the permission gate caused says so (`errno=ACCES (Deno permission: write /tmp/x)`), so it
 * cannot be taken for the host file system's own answer. proc_exit does not return, so it has no
 * `<==` line. Scopes (`fs`, `clock`, …, as wazero's) pick which functions are traced.
 */
import { Errno, errnoName, FileType } from "./constants.ts";
import type { HostFunction } from "./functions.ts";
import type { PermissionRefusal } from "./gate.ts";
import type { GuestMemory } from "./memory.ts";
import { type EnumKind, enumName, type FlagKind, flagNames, rightsNames } from "./trace_flags.ts";
import { type ParamKind, TRACE_SIGNATURES } from "./trace_signatures.ts";

/** Receives each trace line, without its newline. */
export type TraceSink = (line: string) => void;

/** Where a filestat's `size` field is: the two namespaces lay the struct out differently. */
export type FilestatLayout = "preview1" | "unstable";

/**
 * Groups of WASI functions that can be traced on their own (wazero's scopes): `fs` is every fd_
 * and path_ function, `clock` clock_*, `proc` argv, environment, proc_exit, proc_raise and
 * sched_yield, `random` random_get, `poll` poll_oneoff, `sock` sock_*.
 */
export type TraceScope = "fs" | "clock" | "proc" | "random" | "poll" | "sock";
/** Every TraceScope, in the order `--help` lists them. */
export const TRACE_SCOPES: readonly TraceScope[] = ["fs", "clock", "proc", "random", "poll", "sock"];

/** The scope a WASI function belongs to. */
export function scopeOf(name: string): TraceScope {
  if (name.startsWith("fd_") || name.startsWith("path_")) return "fs";
  if (name.startsWith("clock_")) return "clock";
  if (name.startsWith("sock_")) return "sock";
  if (name === "random_get") return "random";
  if (name === "poll_oneoff") return "poll";
  return "proc";
}

/**
 * Parses a comma-separated scope list (`fs,clock`; `all` for every scope). Throws a one-line
 * message naming the valid scopes for anything else.
 */
export function parseTraceScopes(list: string): TraceScope[] {
  const scopes = new Set<TraceScope>();
  for (const word of list.split(",").map((w) => w.trim())) {
    if (word === "all") TRACE_SCOPES.forEach((s) => scopes.add(s));
    else if ((TRACE_SCOPES as readonly string[]).includes(word)) scopes.add(word as TraceScope);
    else {
      throw new Error(
        `unknown trace scope ${JSON.stringify(word)} (expected a comma-separated list of ${
          TRACE_SCOPES.join(", ")
        }, or all)`,
      );
    }
  }
  return [...scopes];
}

const FILE_TYPES = new Map<number, string>(Object.entries(FileType).map(([k, v]) => [v, k]));
const lossy = new TextDecoder();
const MAX_STRING = 200;
/** poll_oneoff subscriptions and events shown per call; more are counted, not listed. */
const MAX_LISTED = 8;

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

const FLAG_KINDS: ReadonlySet<string> = new Set<FlagKind>([
  "oflags",
  "fdflags",
  "lookupflags",
  "fstflags",
  "riflags",
  "roflags",
  "siflags",
  "sdflags",
]);
const ENUM_KINDS: ReadonlySet<string> = new Set<EnumKind>(["whence", "clockid", "advice", "signal"]);

function formatParam(kind: Exclude<ParamKind, "path" | "subscriptions">, v: unknown, layout: FilestatLayout) {
  if (FLAG_KINDS.has(kind)) return flagNames(kind as FlagKind, v as number);
  if (ENUM_KINDS.has(kind)) return enumName(kind as EnumKind, v as number, layout);
  switch (kind) {
    case "fd":
    case "u32":
      return String((v as number) >>> 0);
    case "ptr":
      return hex((v as number) >>> 0);
    case "u64":
      return String(u64(v));
    case "s64":
      return String(BigInt.asIntN(64, BigInt(v as bigint)));
    case "rights":
      return rightsNames(u64(v));
  }
  return String(v);
}

/** The list that ends `in=0x…` / `out=`: `[clock(MONOTONIC, 20000000, ABSTIME), fd_read(0)]`. */
function listed(count: number, item: (i: number) => string): string {
  const shown = Array.from({ length: Math.min(count, MAX_LISTED) }, (_, i) => item(i));
  if (count > MAX_LISTED) shown.push(`…${count - MAX_LISTED} more`);
  return `[${shown.join(", ")}]`;
}

/** poll_oneoff's subscriptions; the clock fields sit 8 bytes later in snapshot 0 (abi.ts). */
function subscriptions(mem: GuestMemory | undefined, ptr: number, count: number, layout: FilestatLayout) {
  const at = hex(ptr >>> 0);
  if (!mem || count === 0) return at;
  const size = layout === "preview1" ? 48 : 56;
  const clockAt = layout === "preview1" ? 16 : 24;
  try {
    return at + listed(count >>> 0, (i) => {
      const p = (ptr >>> 0) + i * size;
      const type = mem.u8(p + 8);
      if (type === 0) {
        const id = enumName("clockid", mem.u32(p + clockAt), layout);
        const flags = flagNames("subclockflags", mem.u16(p + clockAt + 24));
        return `clock(id=${id} timeout=${mem.u64(p + clockAt + 8)} flags=${flags})`;
      }
      return `${enumName("eventtype", type, layout).toLowerCase()}(fd=${mem.u32(p + 16)})`;
    });
  } catch {
    return at;
  }
}

/** poll_oneoff's events: `[clock, fd_read(fd…)…]` with their errors, nbytes and flags. */
function events(mem: GuestMemory, ptr: number, count: number): string {
  return listed(count, (i) => {
    const p = ptr + i * 32;
    const type = enumName("eventtype", mem.u8(p + 10), "preview1").toLowerCase();
    const error = mem.u16(p + 8);
    const parts = [`userdata=${mem.u64(p)}`];
    if (error) parts.push(`error=${errnoName(error)}`);
    if (type !== "clock") {
      parts.push(`nbytes=${mem.u64(p + 16)}`, `flags=${flagNames("eventrwflags", mem.u16(p + 24))}`);
    }
    return `${type}(${parts.join(" ")})`;
  });
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
    case "roflags":
      return flagNames("roflags", mem.u16(ptr));
    case "fdstat":
      return `{filetype=${FILE_TYPES.get(mem.u8(ptr)) ?? mem.u8(ptr)} flags=${
        flagNames("fdflags", mem.u16(ptr + 2))
      }}`;
    case "filestat": {
      const type = mem.u8(ptr + 16);
      const size = mem.u64(ptr + (layout === "preview1" ? 32 : 24));
      return `{filetype=${FILE_TYPES.get(type) ?? type} size=${size}}`;
    }
    case "prestat":
      return `{tag=${mem.u8(ptr)} pr_name_len=${mem.u32(ptr + 4)}}`;
    case "events":
      return events(mem, ptr, mem.u32(args.get("nevents")! >>> 0));
  }
  if (kind.startsWith("str:")) return guestString(mem, ptr, args.get(kind.slice(4)) ?? 0);
  return "?";
}

/** What the tracer is told about the call that just returned, beyond its errno. */
export interface TraceContext {
  /** The guest's memory when it is bound (a call before that is traced with pointers undecoded). */
  memory(): GuestMemory | undefined;
  /** The permission refusal behind the last call's EACCES, if the gate refused it. */
  refusal?(): PermissionRefusal | undefined;
}

/** `(Deno permission: write /tmp/x)`: where an EACCES came from. */
function refusalNote(r: PermissionRefusal): string {
  return ` (${r.by === "deno" ? "Deno permission" : "permission gate"}: ${r.access} ${r.path})`;
}

/**
 * Wraps host function `name` so that each call is traced to `sink`. `memory` gives the guest's
 * memory when it is bound (a call before that is still traced, with pointers left undecoded), or
 * pass a TraceContext to have permission refusals marked too.
 */
export function traced(
  name: string,
  fn: HostFunction,
  context: (() => GuestMemory | undefined) | TraceContext,
  layout: FilestatLayout,
  sink: TraceSink,
): HostFunction {
  const sig = TRACE_SIGNATURES[name];
  if (!sig) throw new Error(`internal: no trace signature for ${name}`);
  const ctx: TraceContext = typeof context === "function" ? { memory: context } : context;
  return (...raw: unknown[]) => {
    const mem = ctx.memory();
    const shown: string[] = [];
    // Pointer and count parameters by name, for decoding lists and reading results afterwards.
    const values = new Map<string, number>();
    let i = 0;
    for (const { name: param, kind } of sig.params) {
      if (kind === "path") i += 2;
      else if (typeof raw[i++] === "number") values.set(param, raw[i - 1] as number);
    }
    i = 0;
    for (const { name: param, kind } of sig.params) {
      if (kind === "path") {
        shown.push(`${param}=${guestString(mem, raw[i] as number, raw[i + 1] as number)}`);
        i += 2;
        continue;
      }
      const text = kind === "subscriptions"
        ? subscriptions(mem, raw[i] as number, values.get("nsubscriptions") ?? 0, layout)
        : formatParam(kind, raw[i], layout);
      shown.push(`${param}=${text}`);
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
    const refusal = errno === Errno.ACCES ? ctx.refusal?.() : undefined;
    const parts = [`errno=${errnoName(errno ?? 0)}${refusal ? refusalNote(refusal) : ""}`];
    if (!errno) {
      const after = ctx.memory();
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
