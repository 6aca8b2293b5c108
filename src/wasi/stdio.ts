/**
 * The guest's fds 0, 1 and 2: either the process's own stdin/stdout/stderr (blocking, reported as a
 * character device only when they really are a terminal) or in-memory byte sources and sinks for
 * embedders and tests.
 */
import { fstatSync } from "node:fs";
import { Errno, FileType, Rights, STREAM_RIGHTS, TTY_RIGHTS } from "./constants.ts";
import { fail } from "./errors.ts";
import { type Filestat, syntheticFilestat } from "./filestat.ts";
import { nativeUnavailable, pollReadable } from "./fs/libc.ts";

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

/** stdin option: a host fd (only 0), bytes or text to serve, or a source. */
export type StdinOption = number | Uint8Array | string | ByteSource;
/** stdout/stderr option: a host fd (1 or 2), or a sink. */
export type StdoutOption = number | ByteSink;

/** Serves fixed bytes, then end of input. */
export class BytesSource implements ByteSource {
  #data: Uint8Array;
  #pos = 0;
  /** Text is served as its UTF-8 bytes. */
  constructor(data: Uint8Array | string) {
    this.#data = typeof data === "string" ? new TextEncoder().encode(data) : data;
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

export class StdioStream {
  readonly filetype: number;
  readonly rights: bigint;
  readonly #source?: ByteSource;
  readonly #sink?: ByteSink;
  /** The host fd behind this stream, when it is one of the process's own. */
  readonly hostFd?: number;

  constructor(which: 0 | 1 | 2, option: StdinOption | StdoutOption) {
    const direction = which === 0 ? ~Rights.FD_WRITE : ~Rights.FD_READ;
    if (typeof option === "number") {
      if (option !== which) {
        throw new TypeError(`stdio fd ${which} can only be the process's own fd ${which}, not ${option}`);
      }
      this.hostFd = which;
      const host = which === 0 ? Deno.stdin : which === 1 ? Deno.stdout : Deno.stderr;
      const tty = host.isTerminal();
      this.filetype = tty ? FileType.CHARACTER_DEVICE : FileType.UNKNOWN;
      this.rights = (tty ? TTY_RIGHTS : STREAM_RIGHTS) & direction;
      if (which === 0) this.#source = Deno.stdin;
      else this.#sink = host as ByteSink;
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
   * One read (blocking for the process's stdin); 0 at end of input. A read of the process's
   * stdin that would block past `deadline` (a performance.now() time) fails with EINTR at the
   * deadline instead; that needs poll(2), so without Deno's FFI permission it blocks as long as
   * the input does.
   */
  read(buf: Uint8Array, deadline = Infinity): number {
    if (!this.#source || buf.length === 0) return 0;
    if (this.hostFd === 0 && deadline !== Infinity && nativeUnavailable() === undefined) {
      const ms = Math.max(0, Math.ceil(deadline - performance.now()));
      if (!pollReadable(0, ms)) fail(Errno.INTR);
    }
    return this.#source.readSync(buf) ?? 0;
  }

  /** Writes all of `buf`. */
  write(buf: Uint8Array): number {
    if (!this.#sink) return 0;
    let done = 0;
    while (done < buf.length) done += this.#sink.writeSync(buf.subarray(done));
    return done;
  }

  stat(): Filestat {
    if (this.hostFd === undefined) return syntheticFilestat(this.filetype);
    const st = fstatSync(this.hostFd, { bigint: true });
    return {
      dev: st.dev,
      ino: st.ino,
      filetype: this.filetype,
      nlink: st.nlink,
      size: st.isFile() ? st.size : 0n,
      atim: st.atimeNs,
      mtim: st.mtimeNs,
      ctim: st.ctimeNs,
    };
  }
}
