/**
 * Assembles the import namespaces. Each host function is wrapped so that a `WasiError` or a host
 * (Deno) error becomes the returned errno; `WasiExit` and genuine bugs propagate to the caller.
 * `wasi_unstable` gets the same functions built with its own memory layouts (see abi.ts). An EACCES
 * that a permission check caused is passed to the host context's refusal handler on the way out.
 * With a trace sink, each function of the traced scopes is also wrapped to log its calls (trace.ts).
 */
import { type Abi, preview1Abi, unstableAbi } from "./abi.ts";
import type { HostContext } from "./context.ts";
import { denoRefusal, errnoOf, WasiError } from "./errors.ts";
import { fdIoFunctions } from "./fd_io.ts";
import { fdMetaFunctions } from "./fd_meta.ts";
import type { HostFunction, HostFunctions } from "./functions.ts";
import { pathOpenFunctions } from "./path_open.ts";
import { pathFunctions } from "./path_ops.ts";
import { pollFunctions } from "./poll.ts";
import { processFunctions } from "./process.ts";
import { readdirFunctions } from "./readdir.ts";
import { socketFunctions } from "./sockets.ts";
import { type FilestatLayout, scopeOf, traced, type TraceScope, type TraceSink } from "./trace.ts";

/** What to log: the sink, and the scopes whose functions are traced (all when not given). */
export interface TraceOptions {
  sink: TraceSink;
  scopes?: readonly TraceScope[];
}

/** Every function of wasi_snapshot_preview1, in the order of its specification. */
export const PREVIEW1_FUNCTIONS: readonly string[] = [
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_res_get",
  "clock_time_get",
  "fd_advise",
  "fd_allocate",
  "fd_close",
  "fd_datasync",
  "fd_fdstat_get",
  "fd_fdstat_set_flags",
  "fd_fdstat_set_rights",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "fd_pread",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "fd_pwrite",
  "fd_read",
  "fd_readdir",
  "fd_renumber",
  "fd_seek",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "path_create_directory",
  "path_filestat_get",
  "path_filestat_set_times",
  "path_link",
  "path_open",
  "path_readlink",
  "path_remove_directory",
  "path_rename",
  "path_symlink",
  "path_unlink_file",
  "poll_oneoff",
  "proc_exit",
  "proc_raise",
  "sched_yield",
  "random_get",
  "sock_accept",
  "sock_recv",
  "sock_send",
  "sock_shutdown",
];

/** wasi_unstable (snapshot 0) has the same functions except sock_accept, which came later. */
export const UNSTABLE_FUNCTIONS: readonly string[] = PREVIEW1_FUNCTIONS.filter((n) => n !== "sock_accept");

function guard(ctx: HostContext, name: string, fn: HostFunction): HostFunction {
  return (...args) => {
    ctx.lastRefusal = undefined;
    try {
      fn(...args);
      return 0;
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === undefined) throw err;
      // A refusal by our gate, or Deno's own NotCapable from an operation the gate let through.
      const refusal = err instanceof WasiError ? err.refusal : denoRefusal(err);
      if (refusal) {
        ctx.refuse({ ...refusal, call: name, by: err instanceof WasiError ? ctx.gateName : "deno" });
      }
      return errno;
    }
  };
}

function build(
  ctx: HostContext,
  abi: Abi,
  names: readonly string[],
  layout: FilestatLayout,
  trace?: TraceOptions,
): HostFunctions {
  const all: HostFunctions = {
    ...processFunctions(ctx),
    ...fdIoFunctions(ctx, abi),
    ...fdMetaFunctions(ctx, abi),
    ...readdirFunctions(ctx),
    ...pathFunctions(ctx, abi),
    ...pathOpenFunctions(ctx),
    ...pollFunctions(ctx, abi),
    ...socketFunctions(ctx),
  };
  const traceContext = { memory: () => ctx.boundMemory, refusal: () => ctx.lastRefusal };
  const out: HostFunctions = {};
  for (const name of names) {
    const fn = all[name];
    if (!fn) throw new Error(`internal: no host function ${name}`);
    const guarded = name === "proc_exit" ? fn : guard(ctx, name, fn);
    const traceIt = trace && (trace.scopes === undefined || trace.scopes.includes(scopeOf(name)));
    out[name] = traceIt ? traced(name, guarded, traceContext, layout, trace.sink) : guarded;
  }
  return out;
}

export function preview1Imports(ctx: HostContext, trace?: TraceOptions): HostFunctions {
  return build(ctx, preview1Abi, PREVIEW1_FUNCTIONS, "preview1", trace);
}

export function unstableImports(ctx: HostContext, trace?: TraceOptions): HostFunctions {
  return build(ctx, unstableAbi, UNSTABLE_FUNCTIONS, "unstable", trace);
}
