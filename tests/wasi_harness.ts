/**
 * Test harness for calling WASI host functions directly: a fresh sandbox directory preopened as
 * fd 3 ("/sandbox"), optionally a read-only one as fd 4 ("/ro"), a 1-page guest memory with a bump
 * allocator, and helpers to place strings and read structures. No wasm module is involved, so each
 * function can be exercised with exact arguments and its errno checked.
 */
import { BufferSink, Errno, WASI, type WASIOptions } from "../src/wasi/mod.ts";
import { nativeResolver } from "../src/wasi/fs/select.ts";

export { Errno };

/**
 * The file system backends every direct-call test runs on: native with openat2, native with the
 * per-component fallback walk (what kernels before 5.6 get), and the Deno-API backend.
 */
export const FS_BACKENDS = ["native", "native-walk", "deno"] as const;
export type FsBackendName = typeof FS_BACKENDS[number];

/** The backend a Harness uses when its options name none (set by `testBoth`). */
let currentBackend: "native" | "deno" = "native";

/** Registers `fn` once per file system backend, as "name [native]", "name [native-walk]", "name [deno]". */
export function testBoth(name: string, fn: (backend: "native" | "deno") => void | Promise<void>): void {
  for (const variant of FS_BACKENDS) {
    const backend = variant === "deno" ? "deno" : "native";
    Deno.test(`${name} [${variant}]`, async () => {
      currentBackend = backend;
      nativeResolver.use = variant === "native-walk" ? "walk" : "openat2";
      try {
        await fn(backend);
      } finally {
        currentBackend = "native";
        nativeResolver.use = "openat2";
      }
    });
  }
}

export const SANDBOX_FD = 3;
export const RO_FD = 4;

/** Rights as bigints, for path_open calls. */
export const R = {
  READ: 1n << 1n,
  SEEK: 1n << 2n,
  FDSTAT_SET_FLAGS: 1n << 3n,
  SYNC: 1n << 4n,
  TELL: 1n << 5n,
  WRITE: 1n << 6n,
  ADVISE: 1n << 7n,
  ALLOCATE: 1n << 8n,
  DATASYNC: 1n << 0n,
  READDIR: 1n << 14n,
  FILESTAT_GET: 1n << 21n,
  FILESTAT_SET_SIZE: 1n << 22n,
  FILESTAT_SET_TIMES: 1n << 23n,
  ALL: (1n << 30n) - 1n,
};
/** What wasi-libc asks for with O_RDONLY / O_RDWR (every right but the contradicting ones). */
export const RD = R.ALL & ~(R.WRITE | R.DATASYNC | R.ALLOCATE | R.FILESTAT_SET_SIZE);
export const RW = R.ALL;

export interface HarnessOptions extends WASIOptions {
  readOnlyPreopen?: boolean;
  /** Also preopen this subdirectory of the sandbox (created first) as "/inner", fd 4. */
  nested?: string;
}

export class Harness {
  readonly root: string;
  readonly roRoot: string;
  readonly wasi: WASI;
  readonly memory: WebAssembly.Memory;
  readonly stdout = new BufferSink();
  readonly stderr = new BufferSink();
  // deno-lint-ignore no-explicit-any
  readonly fn: Record<string, (...args: any[]) => number>;
  #next = 1024;

  constructor(options: HarnessOptions = {}) {
    this.root = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_sandbox_" }));
    this.roRoot = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_ro_" }));
    const preopens: WASIOptions["preopens"] = { "/sandbox": this.root };
    if (options.readOnlyPreopen) preopens["/ro"] = { path: this.roRoot, readOnly: true };
    if (options.nested) {
      Deno.mkdirSync(`${this.root}/${options.nested}`, { recursive: true });
      preopens["/inner"] = `${this.root}/${options.nested}`;
    }
    this.wasi = new WASI({
      stdin: "",
      stdout: this.stdout,
      stderr: this.stderr,
      preopens,
      fsBackend: currentBackend,
      ...options,
    });
    // A test registered per backend must run on the one it names (and "auto" picks native here).
    const wanted = options.fsBackend === undefined || options.fsBackend === "auto"
      ? currentBackend
      : options.fsBackend;
    if (this.wasi.fsBackend !== wanted) {
      throw new Error(`the WASI host uses the ${this.wasi.fsBackend} backend, not ${wanted}`);
    }
    this.memory = new WebAssembly.Memory({ initial: 1 });
    this.wasi.initialize({ exports: { memory: this.memory } });
    // deno-lint-ignore no-explicit-any
    this.fn = this.wasi.wasiImport as Record<string, (...args: any[]) => number>;
  }

  [Symbol.dispose](): void {
    this.wasi.close();
    Deno.removeSync(this.root, { recursive: true });
    Deno.removeSync(this.roRoot, { recursive: true });
  }

  get view(): DataView {
    return new DataView(this.memory.buffer);
  }
  get bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /** Reserves `n` bytes (8-aligned) of guest memory, zeroed. */
  alloc(n: number): number {
    const p = this.#next;
    this.#next = (this.#next + n + 7) & ~7;
    if (this.#next > this.memory.buffer.byteLength) throw new Error("harness memory exhausted");
    this.bytes.fill(0, p, p + n);
    return p;
  }

  /** Places a string (UTF-8, no NUL) in memory: [ptr, byteLength]. */
  str(s: string): [number, number] {
    const b = new TextEncoder().encode(s);
    const p = this.alloc(b.length);
    this.bytes.set(b, p);
    return [p, b.length];
  }

  /** Places raw bytes in memory: [ptr, length]. */
  data(b: Uint8Array): [number, number] {
    const p = this.alloc(b.length);
    this.bytes.set(b, p);
    return [p, b.length];
  }

  u8(p: number): number {
    return this.view.getUint8(p);
  }
  u16(p: number): number {
    return this.view.getUint16(p, true);
  }
  u32(p: number): number {
    return this.view.getUint32(p, true);
  }
  u64(p: number): bigint {
    return this.view.getBigUint64(p, true);
  }
  text(p: number, n: number): string {
    return new TextDecoder().decode(this.bytes.slice(p, p + n));
  }

  /** path_open below `dirFd`; returns [errno, fd]. */
  open(
    path: string,
    opts: {
      oflags?: number;
      rights?: bigint;
      inheriting?: bigint;
      fdflags?: number;
      follow?: boolean;
      dirFd?: number;
    } = {},
  ): [number, number] {
    const [p, n] = this.str(path);
    const out = this.alloc(4);
    const errno = this.fn.path_open(
      opts.dirFd ?? SANDBOX_FD,
      opts.follow === false ? 0 : 1,
      p,
      n,
      opts.oflags ?? 0,
      opts.rights ?? RD,
      opts.inheriting ?? opts.rights ?? RD,
      opts.fdflags ?? 0,
      out,
    );
    return [errno, errno === 0 ? this.u32(out) : -1];
  }

  /** Opens `path`, failing the test unless it succeeds. */
  mustOpen(path: string, opts: Parameters<Harness["open"]>[1] = {}): number {
    const [errno, fd] = this.open(path, opts);
    if (errno !== 0) throw new Error(`path_open(${path}) failed with errno ${errno}`);
    return fd;
  }

  /** fd_write of one buffer; returns [errno, nwritten]. */
  write(fd: number, s: string | Uint8Array): [number, number] {
    const [p, n] = typeof s === "string" ? this.str(s) : this.data(s);
    const iov = this.alloc(8);
    this.view.setUint32(iov, p, true);
    this.view.setUint32(iov + 4, n, true);
    const out = this.alloc(4);
    const errno = this.fn.fd_write(fd, iov, 1, out);
    return [errno, this.u32(out)];
  }

  /** fd_read into one buffer of `len` bytes; returns [errno, text]. */
  read(fd: number, len: number): [number, string] {
    const buf = this.alloc(len);
    const iov = this.alloc(8);
    this.view.setUint32(iov, buf, true);
    this.view.setUint32(iov + 4, len, true);
    const out = this.alloc(4);
    const errno = this.fn.fd_read(fd, iov, 1, out);
    return [errno, errno === 0 ? this.text(buf, this.u32(out)) : ""];
  }

  /** Calls a path function taking (fd, path, len). */
  pathCall(name: string, path: string, fd = SANDBOX_FD): number {
    const [p, n] = this.str(path);
    return this.fn[name](fd, p, n);
  }

  /** path_filestat_get; returns [errno, filetype, size]. */
  stat(path: string, follow = true, fd = SANDBOX_FD): [number, number, bigint] {
    const [p, n] = this.str(path);
    const buf = this.alloc(64);
    const errno = this.fn.path_filestat_get(fd, follow ? 1 : 0, p, n, buf);
    return [errno, this.u8(buf + 16), this.u64(buf + 32)];
  }

  /** Host path inside the sandbox. */
  host(rel: string): string {
    return `${this.root}/${rel}`;
  }
}

export const FileType = {
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SYMBOLIC_LINK: 7,
};
