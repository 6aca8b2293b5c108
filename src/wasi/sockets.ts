/**
 * Sockets: the listening TCP sockets the host preopens (`--tcplisten HOST:PORT`, the `listen`
 * option of the WASI class), the connections `sock_accept` takes from them, and sock_recv,
 * sock_send, sock_shutdown. fd_read, fd_write, fd_close, fd_fdstat_get and poll_oneoff work on them
 * as on any stream (a socket is an fd of kind "stream" holding a SocketStream).
 *
 * They are real host sockets reached through the C library (Deno's FFI; Linux), with real
 * blocking semantics: a call waits with poll(2) until it can proceed, or fails with EAGAIN at once
 * when the descriptor has the NONBLOCK fdflag; a wait ends at the host's deadline (--timeout) with
 * EINTR. Deno's own sockets are asynchronous only, so without FFI there are none: asking for one
 * is a start-up error that names the permission to add. Deno's net permission gates them too: a
 * listener needs `--allow-net` for its address (queried, never prompted).
 *
 * On a descriptor that is not a socket these say what a kernel would: EBADF when it is not open,
 * ENOTSOCK otherwise; unknown flag bits are EINVAL first (as wasmtime decodes them).
 */
import { Errno, FdFlags, FileType, Rights } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { Entry } from "./fd_table.ts";
import { type Filestat, syntheticFilestat } from "./filestat.ts";
import { check, libc, nativeUnavailable, pollFds, POLLIN, POLLOUT } from "./fs/libc.ts";
import type { HostFunctions } from "./functions.ts";
import type { GuestStream } from "./stdio.ts";

/** The flag bits each function knows (fdflags; riflags RECV_PEEK, RECV_WAITALL; sdflags RD, WR). */
const FDFLAGS = 0x1f, RIFLAGS = 0x3, SDFLAGS = 0x3;
const RECV_PEEK = 1, RECV_WAITALL = 2;

// Linux constants (the same on x86_64 and aarch64).
const AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1, SO_REUSEADDR = 2, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
const MSG_PEEK = 2, MSG_NOSIGNAL = 0x4000;

/** A socket reads and writes through a host buffer of at most this size per call. */
const CHUNK = 64 << 10;

export const SOCKET_RIGHTS = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_FDSTAT_SET_FLAGS |
  Rights.FD_FILESTAT_GET | Rights.POLL_FD_READWRITE | Rights.SOCK_SHUTDOWN | Rights.SOCK_ACCEPT;

function msUntil(deadline: number): number {
  return deadline === Infinity ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
}

/** Waits until `fd` has `events`: EAGAIN at once when `nonblock`, EINTR at the deadline. */
function waitReady(fd: number, events: number, deadline: number, nonblock: boolean): void {
  const [revents] = pollFds([{ fd, events }], nonblock ? 0 : msUntil(deadline));
  if (revents === 0) fail(nonblock ? Errno.AGAIN : Errno.INTR);
}

/** A host TCP socket: a listener, or a connection accepted from one. */
export class SocketStream implements GuestStream {
  readonly filetype: number = FileType.SOCKET_STREAM;
  readonly rights: bigint = SOCKET_RIGHTS;
  readonly pollsHost = true;
  #fd: number;

  constructor(fd: number, readonly listening: boolean) {
    this.#fd = fd;
  }

  get hostFd(): number {
    if (this.#fd < 0) fail(Errno.BADF);
    return this.#fd;
  }

  /** One recv(2) into `buf` (MSG_PEEK when `peek`); 0 when the peer has closed. */
  recv(buf: Uint8Array, peek: boolean, deadline = Infinity, nonblock = false): number {
    if (this.listening) fail(Errno.NOTCONN);
    if (buf.length === 0) return 0;
    waitReady(this.hostFd, POLLIN, deadline, nonblock);
    return check(libc().recv(this.hostFd, buf, BigInt(buf.length), peek ? MSG_PEEK : 0));
  }

  read(buf: Uint8Array, deadline = Infinity, nonblock = false): number {
    return this.recv(buf, false, deadline, nonblock);
  }

  /** One send(2) of (the start of) `buf`; a peer that has gone is EPIPE, never a SIGPIPE. */
  write(buf: Uint8Array, deadline = Infinity, nonblock = false): number {
    if (this.listening) fail(Errno.NOTCONN);
    if (buf.length === 0) return 0;
    waitReady(this.hostFd, POLLOUT, deadline, nonblock);
    return check(libc().send(this.hostFd, buf, BigInt(buf.length), MSG_NOSIGNAL));
  }

  /** Takes the next connection (the caller waited for it). */
  accept(): SocketStream {
    return new SocketStream(check(libc().accept4(this.hostFd, null, null, SOCK_CLOEXEC)), false);
  }

  shutdown(how: number): void {
    check(libc().shutdown(this.hostFd, how));
  }

  readiness(): { nbytes: bigint; hangup: boolean } {
    return { nbytes: 0n, hangup: false };
  }

  stat(): Filestat {
    return syntheticFilestat(this.filetype);
  }

  close(): void {
    if (this.#fd >= 0) libc().close(this.#fd);
    this.#fd = -1;
  }
}

/** A listening address: "127.0.0.1:8080", "localhost:8080", "[::1]:8080", "0.0.0.0:80". */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses HOST:PORT (an IPv4 literal, localhost, or a bracketed IPv6 literal). */
export function parseListenAddress(spec: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(spec);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new Error(`cannot listen on ${JSON.stringify(spec)}: expected HOST:PORT (e.g. 127.0.0.1:8080)`);
  }
  return { host: m[1] ?? m[2], port };
}

function ipv4(host: string): number[] | undefined {
  if (host === "localhost") return [127, 0, 0, 1];
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return undefined;
  return parts.map(Number);
}

function ipv6(host: string): number[] | undefined {
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]), tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
}

/** The sockaddr for an address, and its family. */
function sockaddr(a: ListenAddress): { family: number; addr: Uint8Array } {
  const v4 = ipv4(a.host);
  if (v4) {
    const addr = new Uint8Array(16);
    new DataView(addr.buffer).setUint16(0, AF_INET, true);
    new DataView(addr.buffer).setUint16(2, a.port, false);
    addr.set(v4, 4);
    return { family: AF_INET, addr };
  }
  const v6 = ipv6(a.host);
  if (!v6) {
    throw new Error(
      `cannot listen on ${a.host}:${a.port}: not an IP address (an IPv4 literal, localhost or [IPv6])`,
    );
  }
  const addr = new Uint8Array(28);
  new DataView(addr.buffer).setUint16(0, AF_INET6, true);
  new DataView(addr.buffer).setUint16(2, a.port, false);
  addr.set(v6, 8);
  return { family: AF_INET6, addr };
}

/**
 * Opens a listening socket on `spec` (HOST:PORT). Throws an Error with a one-line reason: no FFI,
 * no net permission (the flag to add), or the host's refusal (the address in use...).
 */
export function openListener(spec: string, checkPermission: boolean): SocketStream {
  const address = parseListenAddress(spec);
  const why = nativeUnavailable();
  if (why !== undefined) {
    throw new Error(`listening on ${spec} needs the host's sockets through the C library, but ${why}`);
  }
  if (checkPermission) {
    const host = `${address.host}:${address.port}`;
    if (Deno.permissions.querySync({ name: "net", host }).state !== "granted") {
      throw new Error(`listening on ${spec} needs Deno's net permission (add --allow-net=${host})`);
    }
  }
  const { family, addr } = sockaddr(address);
  const c = libc();
  const fd = c.socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`cannot listen on ${spec}: socket() failed`);
  try {
    const one = new Uint8Array(new Int32Array([1]).buffer);
    c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
    if (family === AF_INET6) c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4);
    check(c.bind(fd, addr, addr.length));
    check(c.listen(fd, 128));
  } catch (err) {
    c.close(fd);
    const errno = (err as { errno?: number }).errno;
    const reason = errno === Errno.ADDRINUSE
      ? "the address is in use"
      : errno === Errno.ACCES
      ? "permission denied (a port below 1024?)"
      : errno === Errno.ADDRNOTAVAIL
      ? "the address is not one of this host's"
      : `errno ${errno}`;
    throw new Error(`cannot listen on ${spec}: ${reason}`);
  }
  return new SocketStream(fd, true);
}

function socketOf(ctx: HostContext, fd: number): { entry: Entry & { kind: "stream" }; socket: SocketStream } {
  const entry = ctx.fds.get(fd); // EBADF when not open
  if (entry.kind !== "stream" || !(entry.stream instanceof SocketStream)) fail(Errno.NOTSOCK);
  return { entry, socket: entry.stream };
}

function nonblocking(entry: Entry): boolean {
  return (entry.fdflags & FdFlags.NONBLOCK) !== 0;
}

export function socketFunctions(ctx: HostContext): HostFunctions {
  /** The (ptr, len) pairs of an iovec array (bounds-checked). */
  function iovecs(ptr: number, count: number): [number, number][] {
    const n = Math.min(count >>> 0, 1024);
    ctx.mem.check(ptr, n * 8);
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const p = ctx.mem.u32(ptr + i * 8), len = ctx.mem.u32(ptr + i * 8 + 4);
      ctx.mem.check(p, len);
      out.push([p, len]);
    }
    return out;
  }

  return {
    sock_accept(fd: number, flags: number, fdPtr: number) {
      if ((flags >>> 0) & ~FDFLAGS) fail(Errno.INVAL);
      const { entry, socket } = socketOf(ctx, fd);
      if (!socket.listening) fail(Errno.INVAL); // accept(2) on a connection
      ctx.need(entry, Rights.SOCK_ACCEPT);
      ctx.mem.check(fdPtr, 4);
      waitReady(socket.hostFd, POLLIN, ctx.deadline(), nonblocking(entry));
      const conn = socket.accept();
      try {
        const guestFd = ctx.fds.add({
          kind: "stream",
          stream: conn,
          rightsBase: conn.rights,
          rightsInheriting: 0n,
          fdflags: flags & FdFlags.NONBLOCK,
        });
        ctx.mem.setU32(fdPtr, guestFd);
      } catch (err) {
        conn.close(); // EMFILE: the connection must not outlive the failed call
        throw err;
      }
    },

    sock_recv(fd: number, ri: number, riLen: number, flags: number, lenPtr: number, oflagsPtr: number) {
      if ((flags >>> 0) & ~RIFLAGS) fail(Errno.INVAL);
      const { entry, socket } = socketOf(ctx, fd);
      ctx.need(entry, Rights.FD_READ);
      const list = iovecs(ri, riLen);
      ctx.mem.check(lenPtr, 4);
      ctx.mem.check(oflagsPtr, 2);
      const want = Math.min(CHUNK, list.reduce((n, [, len]) => n + len, 0));
      const temp = new Uint8Array(want);
      const peek = (flags & RECV_PEEK) !== 0;
      const deadline = ctx.deadline(), nonblock = nonblocking(entry);
      let got = socket.recv(temp, peek, deadline, nonblock);
      // WAITALL: keep receiving until the buffers are full or the peer closes (not with PEEK,
      // which would see the same bytes again).
      if (flags & RECV_WAITALL && !peek && !nonblock) {
        while (got > 0 && got < want) {
          const n = socket.recv(temp.subarray(got), false, deadline, false);
          if (n === 0) break;
          got += n;
        }
      }
      // The buffers are written only now (a wait may have run code that grew memory).
      let at = 0;
      for (const [p, len] of list) {
        if (at >= got) break;
        const n = Math.min(len, got - at);
        ctx.mem.write(p, temp.subarray(at, at + n));
        at += n;
      }
      ctx.mem.setU32(lenPtr, got);
      ctx.mem.setU16(oflagsPtr, 0); // RECV_DATA_TRUNCATED is for datagrams only
    },

    sock_send(fd: number, si: number, siLen: number, _flags: number, lenPtr: number) {
      // siflags is a plain u16 with no flags defined: nothing to reject.
      const { entry, socket } = socketOf(ctx, fd);
      ctx.need(entry, Rights.FD_WRITE);
      const list = iovecs(si, siLen);
      ctx.mem.check(lenPtr, 4);
      const total = Math.min(CHUNK, list.reduce((n, [, len]) => n + len, 0));
      const temp = new Uint8Array(total);
      let at = 0;
      for (const [p, len] of list) {
        if (at >= total) break;
        const n = Math.min(len, total - at);
        temp.set(ctx.mem.bytes(p, n), at);
        at += n;
      }
      ctx.mem.setU32(lenPtr, socket.write(temp, ctx.deadline(), nonblocking(entry)));
    },

    sock_shutdown(fd: number, how: number) {
      if ((how >>> 0) & ~SDFLAGS) fail(Errno.INVAL);
      const { entry, socket } = socketOf(ctx, fd);
      if (how === 0) fail(Errno.INVAL);
      ctx.need(entry, Rights.SOCK_SHUTDOWN);
      if (socket.listening) fail(Errno.NOTCONN);
      socket.shutdown(how - 1); // RD → SHUT_RD (0), WR → SHUT_WR (1), both → SHUT_RDWR (2)
    },
  };
}
