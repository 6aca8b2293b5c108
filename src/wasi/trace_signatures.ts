/**
 * What the tracer needs to know about each WASI function: the names and kinds of its parameters
 * (from the preview1 witx definitions) and which of them point at results the call writes.
 *
 * Parameter kinds: `fd`, `u32` (decimal), `ptr` (hex), `u64`/`s64` (i64 values), `rights` (by
 * name), `path` (a pointer and a length, shown together as a string), a flag set (`oflags`,
 * `fdflags`, `lookupflags`, `fstflags`, `riflags`, `siflags`, `sdflags`: by name), an enumeration
 * (`whence`, `clockid`, `advice`, `signal`: by name), and `subscriptions` (poll_oneoff's `in`,
 * decoded from memory; its count is the parameter `nsubscriptions`).
 * Results: `NAME:KIND` read after a successful call from the pointer parameter NAME, where KIND is
 * `u16`, `u32`, `u64`, `fd`, `fdstat`, `filestat`, `prestat`, `roflags`, `events` (poll_oneoff's
 * `out`, as many as the call wrote to `nevents`), or `str:LEN` (a string of the length given by
 * parameter LEN).
 */
import type { EnumKind, FlagKind } from "./trace_flags.ts";

export type ParamKind =
  | "fd"
  | "u32"
  | "ptr"
  | "u64"
  | "s64"
  | "rights"
  | "path"
  | "subscriptions"
  | FlagKind
  | EnumKind;

export interface TraceSignature {
  params: { name: string; kind: ParamKind }[];
  results: { param: string; kind: string }[];
}

const SPECS: Record<string, [params: string, results?: string]> = {
  args_get: ["argv:ptr argv_buf:ptr"],
  args_sizes_get: ["argc:ptr argv_buf_size:ptr", "argc:u32 argv_buf_size:u32"],
  environ_get: ["environ:ptr environ_buf:ptr"],
  environ_sizes_get: ["environc:ptr environ_buf_size:ptr", "environc:u32 environ_buf_size:u32"],
  clock_res_get: ["id:clockid resolution:ptr", "resolution:u64"],
  clock_time_get: ["id:clockid precision:u64 time:ptr", "time:u64"],
  fd_advise: ["fd:fd offset:u64 len:u64 advice:advice"],
  fd_allocate: ["fd:fd offset:u64 len:u64"],
  fd_close: ["fd:fd"],
  fd_datasync: ["fd:fd"],
  fd_fdstat_get: ["fd:fd stat:ptr", "stat:fdstat"],
  fd_fdstat_set_flags: ["fd:fd flags:fdflags"],
  fd_fdstat_set_rights: ["fd:fd fs_rights_base:rights fs_rights_inheriting:rights"],
  fd_filestat_get: ["fd:fd buf:ptr", "buf:filestat"],
  fd_filestat_set_size: ["fd:fd size:u64"],
  fd_filestat_set_times: ["fd:fd atim:u64 mtim:u64 fst_flags:fstflags"],
  fd_pread: ["fd:fd iovs:ptr iovs_len:u32 offset:u64 nread:ptr", "nread:u32"],
  fd_prestat_get: ["fd:fd buf:ptr", "buf:prestat"],
  fd_prestat_dir_name: ["fd:fd path:ptr path_len:u32", "path:str:path_len"],
  fd_pwrite: ["fd:fd iovs:ptr iovs_len:u32 offset:u64 nwritten:ptr", "nwritten:u32"],
  fd_read: ["fd:fd iovs:ptr iovs_len:u32 nread:ptr", "nread:u32"],
  fd_readdir: ["fd:fd buf:ptr buf_len:u32 cookie:u64 bufused:ptr", "bufused:u32"],
  fd_renumber: ["fd:fd to:fd"],
  fd_seek: ["fd:fd offset:s64 whence:whence newoffset:ptr", "newoffset:u64"],
  fd_sync: ["fd:fd"],
  fd_tell: ["fd:fd offset:ptr", "offset:u64"],
  fd_write: ["fd:fd iovs:ptr iovs_len:u32 nwritten:ptr", "nwritten:u32"],
  path_create_directory: ["fd:fd path:path"],
  path_filestat_get: ["fd:fd flags:lookupflags path:path buf:ptr", "buf:filestat"],
  path_filestat_set_times: ["fd:fd flags:lookupflags path:path atim:u64 mtim:u64 fst_flags:fstflags"],
  path_link: ["old_fd:fd old_flags:lookupflags old_path:path new_fd:fd new_path:path"],
  path_open: [
    "fd:fd dirflags:lookupflags path:path oflags:oflags fs_rights_base:rights fs_rights_inheriting:rights " +
    "fdflags:fdflags opened_fd:ptr",
    "opened_fd:fd",
  ],
  path_readlink: ["fd:fd path:path buf:ptr buf_len:u32 bufused:ptr", "bufused:u32"],
  path_remove_directory: ["fd:fd path:path"],
  path_rename: ["fd:fd old_path:path new_fd:fd new_path:path"],
  path_symlink: ["old_path:path fd:fd new_path:path"],
  path_unlink_file: ["fd:fd path:path"],
  poll_oneoff: ["in:subscriptions out:ptr nsubscriptions:u32 nevents:ptr", "nevents:u32 out:events"],
  proc_exit: ["rval:u32"],
  proc_raise: ["sig:signal"],
  sched_yield: [""],
  random_get: ["buf:ptr buf_len:u32"],
  sock_accept: ["fd:fd flags:fdflags result_fd:ptr", "result_fd:fd"],
  sock_recv: [
    "fd:fd ri_data:ptr ri_data_len:u32 ri_flags:riflags ro_datalen:ptr ro_flags:ptr",
    "ro_datalen:u32 ro_flags:roflags",
  ],
  sock_send: ["fd:fd si_data:ptr si_data_len:u32 si_flags:siflags so_datalen:ptr", "so_datalen:u32"],
  sock_shutdown: ["fd:fd how:sdflags"],
};

function parse([params, results = ""]: [string, string?]): TraceSignature {
  const words = (s: string) => s.split(" ").filter((w) => w !== "");
  return {
    params: words(params).map((w) => {
      const [name, kind] = w.split(":");
      return { name, kind: kind as ParamKind };
    }),
    results: words(results).map((w) => {
      const colon = w.indexOf(":");
      return { param: w.slice(0, colon), kind: w.slice(colon + 1) };
    }),
  };
}

export const TRACE_SIGNATURES: Record<string, TraceSignature> = Object.fromEntries(
  Object.entries(SPECS).map(([name, spec]) => [name, parse(spec)]),
);
