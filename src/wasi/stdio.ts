/**
 * The guest's fds 0, 1 and 2: host file descriptors (the process's own stdin/stdout/stderr, or any
 * other open one, reached through Deno's FFI) or in-memory byte sources and sinks for embedders and
 * tests.
 *
 * The process's own streams are what they are: fd_fdstat_get says character device only for a
 * real terminal, regular file for a redirected file, unknown for anything else (a pipe, a socket,
 * /dev/null: preview1 has no filetype for a pipe, and wasi-libc's isatty() must not say yes for
 * /dev/null). A read blocks until there is data or the end of input, even when the stream was
 * left non-blocking by whoever started us (an EAGAIN from the host is waited out with poll(2));
 * with the guest's own NONBLOCK fdflag, a read with nothing to read is EAGAIN instead. Writes
 * likewise wait for a full pipe to drain, or with NONBLOCK are EAGAIN while it is full. Both need Deno's FFI permission to wait (poll(2));
 * without it, a host EAGAIN is retried every millisecond.
 */
import { sleepNs } from "./clocks.ts";
import { Errno, FileType, Rights, STREAM_RIGHTS, TTY_RIGHTS } from "./constants.ts";
import { fail, WasiError } from "./errors.ts";
import { type Filestat, syntheticFilestat } from "./filestat.ts";
import {
  AT,
  fileTypeOfMode,
  lastErrno,
  libc,
  nativeUnavailable,
  pollReadable,
  pollWritable,
  type RawStat,
  S_IFREG,
  statx,
} from "./fs/libc.ts";

/** Anything with a synchronous `readSync` (Deno.stdin has one); null or 0 means end of input. */
export interface ByteSource {
  /** Reads into `p`; returns the byte count, or null (or 0) at end of input. */
  readSync(p: Uint8Array): number | null;
}

/** Anything with a synchronous `writeSync` (Deno.stdout has one). */
export interface ByteSink {
  /** Writes some of `p`; returns how many bytes were taken. */
  writeSync(p: Uint8Array): number;
}

/** stdin option: a host fd, bytes or text to serve, or a source. */
export type StdinOption = number | Uint8Array | string | ByteSource;
/** stdout/stderr option: a host fd, or a sink. */
export type StdoutOption = number | ByteSink;

/**
 * A host file descriptor other than the process's own 0, 1 and 2, read and written with read(2)
 * and write(2) through Deno's FFI: Deno's own APIs only reach descriptors it opened itself.
 */
class HostFd implements ByteSource, ByteSink {
  constructor(readonly fd: number) {}
  readSync(p: Uint8Array): number {
    const n = Number(libc().read(this.fd, p, BigInt(p.length)));
    if (n < 0) fail(lastErrno());
    return n;
  }
  writeSync(p: Uint8Array): number {
    const n = Number(libc().write(this.fd, p, BigInt(p.length)));
    if (n < 0) fail(lastErrno());
    return n;
  }
}

const TCGETS = 0x5401; // the same on x86_64 and aarch64

/** isatty(3) for a descriptor Deno did not open: TCGETS succeeds on terminals only. */
function isTerminalFd(fd: number): boolean {
  return libc().ioctl(fd, BigInt(TCGETS), new Uint8Array(64)) === 0;
}

const STREAM_NAMES = ["stdin", "stdout", "stderr"] as const;

/**
 * The source or sink for host fd `fd` as the guest's fd `which`: Deno's own stream objects for the
 * process's 0, 1 and 2 (stdout: 2 writes to stderr), raw descriptors through FFI for the rest.
 */
function hostStream(which: 0 | 1 | 2, fd: number): { io: ByteSource | ByteSink; tty: boolean } {
  if (which === 0 && fd === 0) return { io: Deno.stdin, tty: Deno.stdin.isTerminal() };
  if (which !== 0 && (fd === 1 || fd === 2)) {
    const host = fd === 1 ? Deno.stdout : Deno.stderr;
    return { io: host, tty: host.isTerminal() };
  }
  const name = STREAM_NAMES[which];
  const why = nativeUnavailable();
  if (why !== undefined) {
    throw new Error(`${name}: host fd ${fd} can only be reached through Deno's FFI, and ${why}`);
  }
  if (hostStat(fd) === null) throw new Error(`${name}: host fd ${fd} is not an open file descriptor`);
  return { io: new HostFd(fd), tty: isTerminalFd(fd) };
}

/** Serves fixed bytes, then end of input. */
export class BytesSource implements ByteSource {
  #data: Uint8Array;
  #pos = 0;
  /** Text is served as its UTF-8 bytes. */
  constructor(data: Uint8Array | string) {
    this.#data = typeof data === "string" ? new TextEncoder().encode(data) : data;
  }
  /** How many bytes are still to be served. */
  get remaining(): number {
    return this.#data.length - this.#pos;
  }
  /** Serves the next bytes, or null at the end. */
  readSync(p: Uint8Array): number | null {
    if (this.#pos >= this.#data.length) return null;
    const n = Math.min(p.length, this.#data.length - this.#pos);
    p.set(this.#data.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return n;
  }
}

/** Collects everything written to it. */
export class BufferSink implements ByteSink {
  #chunks: Uint8Array[] = [];
  /** Keeps a copy of all of `p`. */
  writeSync(p: Uint8Array): number {
    this.#chunks.push(p.slice());
    return p.length;
  }
  /** Everything written so far. */
  bytes(): Uint8Array {
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  /** Everything written so far, decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/**
 * What an fd of kind "stream" holds: the guest's stdio (StdioStream) or a socket (sockets.ts).
 * Reads and writes block unless `nonblock` (then EAGAIN), and end at `deadline` with EINTR.
 */
export interface GuestStream {
  readonly filetype: number;
  readonly rights: bigint;
  /** The host fd behind it, when there is one (the process's own stdio, a socket). */
  readonly hostFd?: number;
  /** Whether poll_oneoff must ask poll(2) about `hostFd`; otherwise `readiness()` answers. */
  readonly pollsHost: boolean;
  read(buf: Uint8Array, deadline?: number, nonblock?: boolean): number;
  write(buf: Uint8Array, deadline?: number, nonblock?: boolean): number;
  readiness(): { nbytes: bigint; hangup: boolean };
  stat(): Filestat;
  /** Releases the host side (a socket); stdio stays open. */
  close?(): void;
}

/**
 * fstat of host fd `fd`, null when it is not open or cannot be asked about. Through FFI when the
 * native backend is there; else as `/dev/fd/N` with Deno's stat (given read permission for it, which
 * is asked, never prompted for): millisecond times, and nothing on a host without `/dev/fd`.
 * (Not `node:fs`: importing it costs every run about 30 ms of start-up.)
 */
function hostStat(fd: number): RawStat | null {
  try {
    if (nativeUnavailable() === undefined) return statx(fd, "", AT.EMPTY_PATH);
    const path = `/dev/fd/${fd}`;
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return null;
    const st = Deno.statSync(path);
    const ns = (d: Date | null) => BigInt(d?.getTime() ?? 0) * 1_000_000n;
    return {
      dev: BigInt(st.dev ?? 0),
      ino: BigInt(st.ino ?? 0),
      mode: st.mode ?? (st.isFile ? S_IFREG : 0),
      nlink: BigInt(st.nlink ?? 1),
      size: BigInt(st.size),
      atim: ns(st.atime),
      mtim: ns(st.mtime),
      ctim: ns(st.ctime),
    };
  } catch {
    return null;
  }
}

/** Whether host fd `fd` is a regular file (stdin redirected from one, output to one). */
function isRegularFile(fd: number): boolean {
  const st = hostStat(fd);
  return st !== null && fileTypeOfMode(st.mode) === FileType.REGULAR_FILE;
}

function msUntil(deadline: number): number {
  return deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
}

/** A host error saying the call would block (EAGAIN). */
function wouldBlock(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown };
  return e?.code === "EAGAIN" || e?.code === "EWOULDBLOCK" || e?.name === "WouldBlock" ||
    (err instanceof WasiError && err.errno === Errno.AGAIN);
}

/** Waits until host fd `fd` is ready for `what`, or fails with EINTR at the deadline. */
function waitFor(fd: number, what: "read" | "write", deadline: number): void {
  if (nativeUnavailable() === undefined) {
    const ready = what === "read" ? pollReadable(fd, msUntil(deadline)) : pollWritable(fd, msUntil(deadline));
    if (!ready) fail(Errno.INTR);
    return;
  }
  if (performance.now() >= deadline) fail(Errno.INTR);
  sleepNs(1_000_000n);
}

export class StdioStream implements GuestStream {
  readonly filetype: number;
  readonly rights: bigint;
  readonly #source?: ByteSource;
  readonly #sink?: ByteSink;
  /** The host fd behind this stream, when it is one (not an in-memory source or sink). */
  readonly hostFd?: number;

  /** `which` is the guest's fd; a number `option` is the host fd it stands for. */
  constructor(which: 0 | 1 | 2, option: StdinOption | StdoutOption) {
    const direction = which === 0 ? ~Rights.FD_WRITE : ~Rights.FD_READ;
    if (typeof option === "number") {
      this.hostFd = option;
      const { io, tty } = hostStream(which, option);
      this.filetype = tty
        ? FileType.CHARACTER_DEVICE
        : isRegularFile(option)
        ? FileType.REGULAR_FILE
        : FileType.UNKNOWN;
      this.rights = (tty ? TTY_RIGHTS : STREAM_RIGHTS) & direction;
      if (which === 0) this.#source = io as ByteSource;
      else this.#sink = io as ByteSink;
    } else {
      this.filetype = FileType.UNKNOWN;
      this.rights = STREAM_RIGHTS & direction;
      if (which === 0) {
        this.#source = typeof option === "string" || option instanceof Uint8Array
          ? new BytesSource(option)
          : option as ByteSource;
      } else this.#sink = option as ByteSink;
    }
  }

  /**
   * One read (blocking for a host fd); 0 at end of input. A read of a host fd that would block
   * past `deadline` (a performance.now() time) fails with EINTR at the deadline instead; that
   * needs poll(2), so without Deno's FFI permission it blocks as long as the input does.
   */
  read(buf: Uint8Array, deadline = Infinity, nonblock = false): number {
    if (!this.#source || buf.length === 0) return 0;
    const fd = this.hostFd;
    const native = fd !== undefined && nativeUnavailable() === undefined;
    if (native && nonblock) {
      if (!pollReadable(fd, 0)) fail(Errno.AGAIN);
    } else if (native && deadline !== Infinity) {
      if (!pollReadable(fd, msUntil(deadline))) fail(Errno.INTR);
    }
    for (;;) {
      try {
        return this.#source.readSync(buf) ?? 0;
      } catch (err) {
        // The host stream is non-blocking (its file description is shared with whoever started
        // us): wait for it, unless the guest asked for non-blocking reads itself.
        if (this.hostFd === undefined || !wouldBlock(err) || nonblock) throw err;
        waitFor(this.hostFd, "read", deadline);
      }
    }
  }

  /** Writes all of `buf` (waiting for a full pipe to drain unless `nonblock`). */
  write(buf: Uint8Array, deadline = Infinity, nonblock = false): number {
    if (!this.#sink) return 0;
    // The guest's NONBLOCK on a blocking host stream: EAGAIN while the pipe is full. (A write it
    // has some room for goes through whole, waiting for the rest: the host fd stays blocking,
    // since its file description is shared with whoever started us.)
    if (
      nonblock && this.hostFd !== undefined && nativeUnavailable() === undefined &&
      !pollWritable(this.hostFd, 0)
    ) {
      fail(Errno.AGAIN);
    }
    let done = 0;
    while (done < buf.length) {
      try {
        done += this.#sink.writeSync(buf.subarray(done));
      } catch (err) {
        if (this.hostFd === undefined || !wouldBlock(err)) throw err;
        if (nonblock) {
          if (done > 0) return done;
          throw err;
        }
        waitFor(this.hostFd, "write", deadline);
      }
    }
    return done;
  }

  /**
   * Whether poll(2) must be asked about this stream: it is the process's own and Deno's FFI is
   * permitted. Otherwise `readiness()` is the answer.
   */
  get pollsHost(): boolean {
    return this.hostFd !== undefined && nativeUnavailable() === undefined;
  }

  /**
   * What poll_oneoff reports for a stream it cannot ask poll(2) about: always ready; in-memory
   * input says how much is left and that no more will come (a hangup, as a pipe whose writer has
   * closed); other sources and the host's own streams without FFI say nothing more.
   */
  readiness(): { nbytes: bigint; hangup: boolean } {
    if (this.#source instanceof BytesSource) return { nbytes: BigInt(this.#source.remaining), hangup: true };
    return { nbytes: 0n, hangup: false };
  }

  stat(): Filestat {
    if (this.hostFd === undefined) return syntheticFilestat(this.filetype);
    const st = hostStat(this.hostFd);
    if (st === null) return syntheticFilestat(this.filetype);
    return {
      dev: st.dev,
      ino: st.ino,
      filetype: this.filetype,
      nlink: st.nlink,
      size: fileTypeOfMode(st.mode) === FileType.REGULAR_FILE ? st.size : 0n,
      atim: st.atim,
      mtim: st.mtim,
      ctim: st.ctim,
    };
  }
}
