/**
 * Bounds of every pointer and length a WASI function takes, at the exact edge of memory: the
 * structure (iovec array, buffer, result, path string, dirent buffer, filestat/fdstat/prestat,
 * subscriptions/events, argv/environ arrays and buffers, random bytes…) placed so that its last
 * byte is the last byte of memory works, and one byte further is EFAULT with nothing written —
 * neither guest memory (compared whole) nor the host (files, directories).
 *
 * Each call follows a memory.grow, so the host's cached view of memory is stale: once as the very
 * first WASI call of a fresh host (the view was never made), and once after other calls (the view
 * was made for the smaller memory). GuestMemory's accessors are also tested on their own, on the
 * built-in WebAssembly.Memory, on wasmrun's, and on wasmrun's resizable one under --jitless.
 *
 * (wasmtime traps on an out-of-bounds pointer, as the witx docs allow; wasmrun returns EFAULT.)
 */
import assert from "node:assert/strict";
import { GuestMemory } from "../src/wasi/memory.ts";
import { WasiError } from "../src/wasi/errors.ts";
import * as wasmrun from "../mod.ts";
import { Errno, Harness, type HarnessOptions, R, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";

const SENTINEL = 0xa5;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The harness with what bounds tests need: growing, the end of memory, writes clipped to it. */
class Bounds extends Harness {
  grow(pages = 1): void {
    this.memory.grow(pages);
  }
  get end(): number {
    return this.memory.buffer.byteLength;
  }
  /** Writes `data` at `at`, clipped to memory (a structure one byte past the end is cut short). */
  put(at: number, data: Uint8Array): void {
    const room = Math.max(0, this.end - at);
    this.bytes.set(data.subarray(0, Math.min(room, data.length)), at);
  }
  putStr(at: number, s: string): number {
    const b = enc.encode(s);
    this.put(at, b);
    return b.length;
  }
  /** Fills [from, end of memory) with the sentinel, so that a write of zeros shows too. */
  fillTail(from: number): void {
    this.bytes.fill(SENTINEL, Math.max(0, from));
  }
  /** An iovec array in the first page: [ptr, len] pairs. */
  iovs(...pairs: [number, number][]): number {
    const p = this.alloc(8 * pairs.length);
    pairs.forEach(([buf, len], i) => {
      this.view.setUint32(p + 8 * i, buf, true);
      this.view.setUint32(p + 8 * i + 4, len, true);
    });
    return p;
  }
  /** A u32 result slot in the first page, preset to the sentinel. */
  out(n = 8): number {
    const p = this.alloc(n);
    this.bytes.fill(SENTINEL, p, p + n);
    return p;
  }
}

interface Case<S> {
  name: string;
  /** Bytes of the structure placed at the end of memory. */
  size: number;
  /** Uses the file system: runs on every backend. */
  fs?: boolean;
  options?: HarnessOptions;
  /** Host-side preparation (Deno APIs only), before any WASI call. */
  prepare?: (h: Bounds) => void;
  /** WASI calls made first (then the call under test is not the host's first). */
  open?: (h: Bounds) => S;
  /** Writes the call's inputs for the structure at `at` and returns the call. */
  arrange: (h: Bounds, at: number, s: S) => () => number;
  /** After the call succeeded with the structure at `at`: what it wrote. */
  verify?: (h: Bounds, at: number, s: S) => void;
  /** After the EFAULT: what the host must not have done. */
  untouched?: (h: Bounds, s: S) => void;
}

// deno-lint-ignore no-explicit-any
const CASES: Case<any>[] = [];
function add<S>(c: Case<S>): void {
  CASES.push(c);
}

/** In bounds at the very end of memory, right after a grow. */
function inBounds<S>(c: Case<S>, h: Bounds, s: S): void {
  h.grow();
  const at = h.end - c.size;
  h.fillTail(at - 64);
  const call = c.arrange(h, at, s);
  assert.equal(call(), Errno.SUCCESS, `${c.name}: ending at the last byte of memory`);
  c.verify?.(h, at, s);
}

/** One byte past the end, right after a grow: EFAULT, and nothing written anywhere. */
function oneBeyond<S>(c: Case<S>, h: Bounds, s: S): void {
  h.grow();
  const at = h.end - c.size + 1;
  h.fillTail(at - 64);
  const call = c.arrange(h, at, s);
  const before = h.bytes.slice();
  assert.equal(call(), Errno.FAULT, `${c.name}: one byte past the end of memory`);
  assert.ok(equalBytes(before, h.bytes), `${c.name}: guest memory was written before EFAULT`);
  c.untouched?.(h, s);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function run<S>(c: Case<S>): void {
  if (!c.open) {
    // The first WASI call the host ever sees, after a grow: in bounds, then beyond.
    {
      using h = new Bounds(c.options);
      c.prepare?.(h);
      inBounds(c, h, undefined as S);
      oneBeyond(c, h, undefined as S);
    }
    // The first call beyond, then in bounds after another grow.
    {
      using h = new Bounds(c.options);
      c.prepare?.(h);
      oneBeyond(c, h, undefined as S);
      inBounds(c, h, undefined as S);
    }
  }
  // After other calls: the host has a view of the smaller memory.
  using h = new Bounds(c.options);
  c.prepare?.(h);
  const s = c.open ? c.open(h) : undefined as S;
  assert.equal(h.fn.fd_fdstat_get(1, h.out(24)), 0);
  inBounds(c, h, s);
  oneBeyond(c, h, s);
}

// ---------------------------------------------------------------------------------------------
// args and environ

const ARGS = ["prog", "é", "日本"];
const ARGV_BYTES = ARGS.reduce((n, a) => n + enc.encode(a).length + 1, 0);
const ENV = { A: "1", LONGER: "xyz=w" };
const ENV_STRINGS = Object.entries(ENV).map(([k, v]) => `${k}=${v}`);
const ENV_BYTES = ENV_STRINGS.reduce((n, a) => n + enc.encode(a).length + 1, 0);

for (
  const [fnName, strings, total] of [["args", ARGS, ARGV_BYTES], ["environ", ENV_STRINGS, ENV_BYTES]] as const
) {
  const options = { args: [...ARGS], env: ENV };
  add({
    name: `${fnName}_sizes_get: the count`,
    size: 4,
    options,
    arrange: (h, at) => {
      const other = h.out(4);
      return () => h.fn[`${fnName}_sizes_get`](at, other);
    },
    verify: (h, at) => assert.equal(h.u32(at), strings.length),
  });
  add({
    name: `${fnName}_sizes_get: the buffer size`,
    size: 4,
    options,
    arrange: (h, at) => {
      const other = h.out(4);
      return () => h.fn[`${fnName}_sizes_get`](other, at);
    },
    verify: (h, at) => assert.equal(h.u32(at), total),
  });
  add({
    name: `${fnName}_get: the pointer array`,
    size: 4 * strings.length,
    options,
    arrange: (h, at) => {
      const buf = h.out(total);
      return () => h.fn[`${fnName}_get`](at, buf);
    },
    verify: (h, at) => {
      const got = strings.map((_, i) => {
        const p = h.u32(at + 4 * i);
        let e = p;
        while (h.u8(e) !== 0) e++;
        return h.text(p, e - p);
      });
      assert.deepEqual(got, [...strings]);
    },
  });
  add({
    name: `${fnName}_get: the string buffer`,
    size: total,
    options,
    arrange: (h, at) => {
      const ptrs = h.out(4 * strings.length);
      return () => h.fn[`${fnName}_get`](ptrs, at);
    },
    verify: (h, at) =>
      assert.equal(dec.decode(h.bytes.slice(at, at + total)), strings.map((s) => s + "\0").join("")),
  });
}

// ---------------------------------------------------------------------------------------------
// clocks and random

for (const [id, clock] of [[0, "realtime"], [1, "monotonic"], [2, "process"], [3, "thread"]] as const) {
  add({
    name: `clock_res_get(${clock}): the result`,
    size: 8,
    arrange: (h, at) => () => h.fn.clock_res_get(id, at),
    verify: (h, at) => assert.equal(h.u64(at), id < 2 ? 1n : 1000n),
  });
  add({
    name: `clock_time_get(${clock}): the result`,
    size: 8,
    arrange: (h, at) => () => h.fn.clock_time_get(id, 1n, at),
    verify: (h, at) => {
      assert.notEqual(h.u64(at), 0xa5a5a5a5a5a5a5a5n);
      if (id === 0) assert.ok(h.u64(at) > 1_600_000_000_000_000_000n);
    },
  });
}

add({
  name: "random_get: the buffer",
  size: 256,
  arrange: (h, at) => () => h.fn.random_get(at, 256),
  verify: (h, at) => {
    const got = h.bytes.slice(at, at + 256);
    assert.ok(got.some((b) => b !== SENTINEL), "random bytes were written");
  },
});
add({
  name: "random_get: an empty buffer",
  size: 0,
  arrange: (h, at) => () => h.fn.random_get(at, 0),
});

// ---------------------------------------------------------------------------------------------
// descriptor metadata

add({
  name: "fd_fdstat_get(stdout): the fdstat",
  size: 24,
  arrange: (h, at) => () => h.fn.fd_fdstat_get(1, at),
  verify: (h, at) => {
    assert.equal(h.u8(at), 0); // UNKNOWN: an in-memory sink
    assert.equal(h.u8(at + 1), 0); // padding is zeroed
    assert.equal(h.u16(at + 2), 0);
    assert.ok((h.u64(at + 8) & R.WRITE) !== 0n);
  },
});
add({
  name: "fd_fdstat_get(preopen): the fdstat",
  size: 24,
  fs: true,
  arrange: (h, at) => () => h.fn.fd_fdstat_get(SANDBOX_FD, at),
  verify: (h, at) => {
    assert.equal(h.u8(at), 3);
    assert.ok((h.u64(at + 16) & R.WRITE) !== 0n);
  },
});
add({
  name: "fd_filestat_get(preopen): the filestat",
  size: 64,
  fs: true,
  arrange: (h, at) => () => h.fn.fd_filestat_get(SANDBOX_FD, at),
  verify: (h, at) => assert.equal(h.u8(at + 16), 3),
});
add({
  name: "fd_filestat_get(file): the filestat",
  size: 64,
  fs: true,
  prepare: (h) => Deno.writeTextFileSync(h.host("f"), "12345"),
  open: (h) => h.mustOpen("f"),
  arrange: (h, at, fd: number) => () => h.fn.fd_filestat_get(fd, at),
  verify: (h, at) => {
    assert.equal(h.u8(at + 16), 4);
    assert.equal(h.u64(at + 32), 5n);
    assert.equal(h.u64(at + 24), 1n);
  },
});
add({
  name: "fd_filestat_get(stdout): the filestat",
  size: 64,
  arrange: (h, at) => () => h.fn.fd_filestat_get(1, at),
  verify: (h, at) => assert.equal(h.u64(at + 24), 1n),
});
add({
  name: "wasi_unstable fd_filestat_get(file): the 56-byte filestat",
  size: 56,
  fs: true,
  options: { version: "unstable" },
  prepare: (h) => Deno.writeTextFileSync(h.host("f"), "1234567"),
  open: (h) => h.mustOpen("f"),
  arrange: (h, at, fd: number) => () => h.fn.fd_filestat_get(fd, at),
  verify: (h, at) => {
    assert.equal(h.u8(at + 16), 4);
    assert.equal(h.u32(at + 20), 1); // nlink, u32
    assert.equal(h.u64(at + 24), 7n);
  },
});
add({
  name: "fd_prestat_get: the prestat",
  size: 8,
  fs: true,
  arrange: (h, at) => () => h.fn.fd_prestat_get(SANDBOX_FD, at),
  verify: (h, at) => {
    assert.deepEqual([...h.bytes.slice(at, at + 4)], [0, 0, 0, 0]); // tag DIR, padding zeroed
    assert.equal(h.u32(at + 4), "/sandbox".length);
  },
});
add({
  name: "fd_prestat_dir_name: the name buffer",
  size: "/sandbox".length,
  fs: true,
  arrange: (h, at) => () => h.fn.fd_prestat_dir_name(SANDBOX_FD, at, "/sandbox".length),
  verify: (h, at) => assert.equal(h.text(at, 8), "/sandbox"),
});

// ---------------------------------------------------------------------------------------------
// reading and writing

const STDIN = "hello, world";

add({
  name: "fd_read(stdin): the iovec array",
  size: 16,
  options: { stdin: STDIN },
  arrange: (h, at) => {
    const a = h.out(5), b = h.out(7);
    h.put(at, iovBytes([a, 5], [b, 7]));
    const n = h.out(4);
    return () => h.fn.fd_read(0, at, 2, n);
  },
  verify: (h, at) => assert.equal(h.text(h.u32(at), 5), "hello"),
});
add({
  name: "fd_read(stdin): the buffer",
  size: 12,
  options: { stdin: STDIN },
  arrange: (h, at) => {
    const iovs = h.iovs([at, 12]), n = h.out(4);
    return () => h.fn.fd_read(0, iovs, 1, n);
  },
  verify: (h, at) => assert.equal(h.text(at, 12), STDIN),
});
add({
  name: "fd_read(stdin): nread",
  size: 4,
  options: { stdin: STDIN },
  arrange: (h, at) => {
    const iovs = h.iovs([h.out(12), 12]);
    return () => h.fn.fd_read(0, iovs, 1, at);
  },
  verify: (h, at) => assert.equal(h.u32(at), 12),
});

/** File-reading cases: fd_read and fd_pread each on the iovec array, a buffer, the count. */
for (const fnName of ["fd_read", "fd_pread"] as const) {
  const call = (h: Bounds, fd: number, iovs: number, n: number, out: number) =>
    fnName === "fd_read" ? h.fn.fd_read(fd, iovs, n, out) : h.fn.fd_pread(fd, iovs, n, 2n, out);
  const content = fnName === "fd_read" ? "0123456789" : "23456789";
  const file = {
    fs: true,
    prepare: (h: Bounds) => Deno.writeTextFileSync(h.host("f"), "0123456789"),
    open: (h: Bounds) => h.mustOpen("f"),
  };
  add({
    ...file,
    name: `${fnName}(file): the iovec array`,
    size: 16,
    arrange: (h, at, fd: number) => {
      const a = h.out(3), b = h.out(5);
      h.put(at, iovBytes([a, 3], [b, 5]));
      const n = h.out(4);
      return () => call(h, fd, at, 2, n);
    },
    verify: (h, at) => assert.equal(h.text(h.u32(at), 3) + h.text(h.u32(at + 8), 5), content.slice(0, 8)),
  });
  add({
    ...file,
    name: `${fnName}(file): the second of two buffers`,
    size: 4,
    arrange: (h, at, fd: number) => {
      const first = h.out(3);
      const iovs = h.iovs([first, 3], [at, 4]), n = h.out(4);
      return () => call(h, fd, iovs, 2, n);
    },
    verify: (h, at, fd: number) => {
      assert.equal(h.text(at, 4), content.slice(3, 7));
      assert.equal(h.fn.fd_seek(fd, 0n, 0, h.out(8)), 0);
    },
    untouched: (h, fd: number) => {
      // The call one byte beyond read nothing: the position is still at the start.
      const pos = h.out(8);
      assert.equal(h.fn.fd_tell(fd, pos), 0);
      assert.equal(h.u64(pos), 0n);
    },
  });
  add({
    ...file,
    name: `${fnName}(file): nread`,
    size: 4,
    arrange: (h, at, fd: number) => {
      const iovs = h.iovs([h.out(4), 4]);
      return () => call(h, fd, iovs, 1, at);
    },
    verify: (h, at) => assert.equal(h.u32(at), 4),
  });
}

add({
  name: "fd_write(stdout): the iovec array",
  size: 16,
  arrange: (h, at) => {
    const [a] = h.str("ab"), [b] = h.str("cde");
    h.put(at, iovBytes([a, 2], [b, 3]));
    const n = h.out(4);
    return () => h.fn.fd_write(1, at, 2, n);
  },
  verify: (h) => assert.equal(h.stdout.text(), "abcde"),
  untouched: (h) => assert.ok(["", "abcde"].includes(h.stdout.text()), h.stdout.text()),
});
add({
  name: "fd_write(stdout): the buffer",
  size: 6,
  arrange: (h, at) => {
    h.putStr(at, "edge!\n");
    const iovs = h.iovs([at, 6]), n = h.out(4);
    return () => h.fn.fd_write(1, iovs, 1, n);
  },
  verify: (h) => assert.equal(h.stdout.text(), "edge!\n"),
  untouched: (h) => assert.ok(["", "edge!\n"].includes(h.stdout.text()), h.stdout.text()),
});
add({
  name: "fd_write(stdout): nwritten",
  size: 4,
  arrange: (h, at) => {
    const iovs = h.iovs(h.str("xyz"));
    return () => h.fn.fd_write(1, iovs, 1, at);
  },
  verify: (h, at) => assert.equal(h.u32(at), 3),
  untouched: (h) => assert.ok(["", "xyz"].includes(h.stdout.text()), h.stdout.text()),
});

for (const fnName of ["fd_write", "fd_pwrite"] as const) {
  const call = (h: Bounds, fd: number, iovs: number, n: number, out: number) =>
    fnName === "fd_write" ? h.fn.fd_write(fd, iovs, n, out) : h.fn.fd_pwrite(fd, iovs, n, 0n, out);
  // After checking what the in-bounds call wrote, the file is emptied again (and the position
  // put back): the call one byte beyond must leave it empty.
  const wrote = (h: Bounds) => Deno.readTextFileSync(h.host("w"));
  const reset = (h: Bounds, fd: number) => {
    Deno.truncateSync(h.host("w"));
    assert.equal(h.fn.fd_seek(fd, 0n, 0, h.out(8)), 0);
  };
  const file = {
    fs: true,
    open: (h: Bounds) => h.mustOpen("w", { oflags: 1, rights: RW }),
    untouched: (h: Bounds) => assert.equal(wrote(h), ""),
  };
  add({
    ...file,
    name: `${fnName}(file): the iovec array`,
    size: 16,
    arrange: (h, at, fd: number) => {
      const [a] = h.str("ab"), [b] = h.str("cd");
      h.put(at, iovBytes([a, 2], [b, 2]));
      const n = h.out(4);
      return () => call(h, fd, at, 2, n);
    },
    verify: (h, _at, fd: number) => {
      assert.equal(wrote(h), "abcd");
      reset(h, fd);
    },
  });
  add({
    ...file,
    name: `${fnName}(file): the second of two buffers`,
    size: 3,
    arrange: (h, at, fd: number) => {
      const [a] = h.str("first");
      h.putStr(at, "end");
      const iovs = h.iovs([a, 5], [at, 3]), n = h.out(4);
      return () => call(h, fd, iovs, 2, n);
    },
    verify: (h, _at, fd: number) => {
      assert.equal(wrote(h), "firstend");
      reset(h, fd);
    },
  });
  add({
    ...file,
    name: `${fnName}(file): nwritten`,
    size: 4,
    arrange: (h, at, fd: number) => {
      const iovs = h.iovs(h.str("data"));
      return () => call(h, fd, iovs, 1, at);
    },
    verify: (h, at, fd: number) => {
      assert.equal(h.u32(at), 4);
      assert.equal(wrote(h), "data");
      reset(h, fd);
    },
  });
}

add({
  name: "fd_seek: the new offset",
  size: 8,
  fs: true,
  prepare: (h) => Deno.writeTextFileSync(h.host("s"), "0123456789"),
  open: (h) => h.mustOpen("s"),
  arrange: (h, at, fd: number) => () => h.fn.fd_seek(fd, 7n, 0, at),
  verify: (h, at, fd: number) => {
    assert.equal(h.u64(at), 7n);
    assert.equal(h.fn.fd_seek(fd, 0n, 0, h.out(8)), 0);
  },
  untouched: (h, fd: number) => {
    // EFAULT comes before the seek: the position is still 0.
    const pos = h.out(8);
    assert.equal(h.fn.fd_tell(fd, pos), 0);
    assert.equal(h.u64(pos), 0n);
  },
});
add({
  name: "fd_tell: the offset",
  size: 8,
  fs: true,
  prepare: (h) => Deno.writeTextFileSync(h.host("s"), "0123456789"),
  open: (h) => {
    const fd = h.mustOpen("s");
    h.fn.fd_seek(fd, 3n, 0, h.out(8));
    return fd;
  },
  arrange: (h, at, fd: number) => () => h.fn.fd_tell(fd, at),
  verify: (h, at) => assert.equal(h.u64(at), 3n),
});

// ---------------------------------------------------------------------------------------------
// directories and paths

/** A listing of a directory with a few entries: how many bytes fd_readdir fills at cookie 0. */
function listingSize(names: string[]): number {
  return [".", "..", ...names].reduce((n, name) => n + 24 + enc.encode(name).length, 0);
}
const ENTRIES = ["alpha", "beta", "gamma"];
add({
  name: "fd_readdir: the dirent buffer",
  size: listingSize(ENTRIES),
  fs: true,
  prepare: (h) => ENTRIES.forEach((n) => Deno.writeTextFileSync(h.host(n), n)),
  arrange: (h, at) => {
    const used = h.out(4);
    return () => h.fn.fd_readdir(SANDBOX_FD, at, listingSize(ENTRIES), 0n, used);
  },
  verify: (h, at) => {
    const names: string[] = [];
    for (let p = at; p < h.end;) {
      const len = h.u32(p + 16);
      names.push(h.text(p + 24, len));
      p += 24 + len;
    }
    assert.deepEqual(names.sort(), [".", "..", ...ENTRIES].sort());
  },
});
add({
  name: "fd_readdir: bufused",
  size: 4,
  fs: true,
  prepare: (h) => ENTRIES.forEach((n) => Deno.writeTextFileSync(h.host(n), n)),
  arrange: (h, at) => {
    const buf = h.alloc(1024);
    return () => h.fn.fd_readdir(SANDBOX_FD, buf, 1024, 0n, at);
  },
  verify: (h, at) => assert.equal(h.u32(at), listingSize(ENTRIES)),
});

/**
 * The cases of one path argument: the path string ends at the last byte of memory. `arrange`
 * places the other arguments and returns the call.
 */
function pathCase(
  name: string,
  path: string,
  arrange: (h: Bounds, ptr: number, len: number) => () => number,
  more: Partial<Case<undefined>> = {},
): void {
  const len = enc.encode(path).length;
  add({
    name: `${name}: the path "${path}"`,
    size: len,
    fs: true,
    arrange: (h, at) => {
      h.putStr(at, path);
      return arrange(h, at, len);
    },
    ...more,
  });
}

pathCase("path_create_directory", "newdir", (h, p, n) => () => h.fn.path_create_directory(SANDBOX_FD, p, n), {
  verify: (h) => {
    assert.ok(Deno.statSync(h.host("newdir")).isDirectory);
    Deno.removeSync(h.host("newdir"));
  },
  untouched: (h) => assert.throws(() => Deno.statSync(h.host("newdir"))),
});
pathCase(
  "path_filestat_get",
  "file.txt",
  (h, p, n) => {
    const buf = h.out(64);
    return () => h.fn.path_filestat_get(SANDBOX_FD, 1, p, n, buf);
  },
  { prepare: (h) => Deno.writeTextFileSync(h.host("file.txt"), "abc") },
);
add({
  name: "path_filestat_get: the filestat",
  size: 64,
  fs: true,
  prepare: (h) => Deno.writeTextFileSync(h.host("file.txt"), "abcd"),
  arrange: (h, at) => {
    const [p, n] = h.str("file.txt");
    return () => h.fn.path_filestat_get(SANDBOX_FD, 1, p, n, at);
  },
  verify: (h, at) => {
    assert.equal(h.u8(at + 16), 4);
    assert.equal(h.u64(at + 32), 4n);
  },
});
add({
  name: "wasi_unstable path_filestat_get: the 56-byte filestat",
  size: 56,
  fs: true,
  options: { version: "unstable" },
  prepare: (h) => Deno.writeTextFileSync(h.host("file.txt"), "abcde"),
  arrange: (h, at) => {
    const [p, n] = h.str("file.txt");
    return () => h.fn.path_filestat_get(SANDBOX_FD, 1, p, n, at);
  },
  verify: (h, at) => assert.equal(h.u64(at + 24), 5n),
});
pathCase(
  "path_filestat_set_times",
  "t.txt",
  (h, p, n) => () => h.fn.path_filestat_set_times(SANDBOX_FD, 0, p, n, 1_000_000_000_000_000_000n, 0n, 1),
  {
    prepare: (h) => {
      Deno.writeTextFileSync(h.host("t.txt"), "t");
      Deno.utimeSync(h.host("t.txt"), 2_000_000_000, 2_000_000_000);
    },
    verify: (h) => {
      assert.equal(Deno.statSync(h.host("t.txt")).atime?.getTime(), 1_000_000_000_000);
      Deno.utimeSync(h.host("t.txt"), 2_000_000_000, 2_000_000_000);
    },
    untouched: (h) => assert.equal(Deno.statSync(h.host("t.txt")).atime?.getTime(), 2_000_000_000_000),
  },
);
for (const which of ["old", "new"] as const) {
  pathCase(
    `path_link (${which} path)`,
    which === "old" ? "source.txt" : "link.txt",
    (h, p, n) => {
      const [q, m] = h.str(which === "old" ? "link.txt" : "source.txt");
      return which === "old"
        ? () => h.fn.path_link(SANDBOX_FD, 0, p, n, SANDBOX_FD, q, m)
        : () => h.fn.path_link(SANDBOX_FD, 0, q, m, SANDBOX_FD, p, n);
    },
    {
      prepare: (h) => Deno.writeTextFileSync(h.host("source.txt"), "s"),
      verify: (h) => {
        assert.equal(Deno.statSync(h.host("source.txt")).nlink, 2);
        Deno.removeSync(h.host("link.txt"));
      },
      untouched: (h) => assert.equal(Deno.statSync(h.host("source.txt")).nlink, 1),
    },
  );
  pathCase(
    `path_rename (${which} path)`,
    which === "old" ? "from.txt" : "to.txt",
    (h, p, n) => {
      const [q, m] = h.str(which === "old" ? "to.txt" : "from.txt");
      return which === "old"
        ? () => h.fn.path_rename(SANDBOX_FD, p, n, SANDBOX_FD, q, m)
        : () => h.fn.path_rename(SANDBOX_FD, q, m, SANDBOX_FD, p, n);
    },
    {
      // Each harness renames once (in bounds); from.txt is made again for the other calls.
      prepare: (h) => Deno.writeTextFileSync(h.host("from.txt"), "f"),
      verify: (h) => {
        assert.equal(Deno.readTextFileSync(h.host("to.txt")), "f");
        Deno.writeTextFileSync(h.host("from.txt"), "g");
      },
      untouched: (h) => assert.equal(Deno.readTextFileSync(h.host("from.txt")).length, 1),
    },
  );
  pathCase(
    `path_symlink (${which === "old" ? "target" : "link path"})`,
    which === "old" ? "target.txt" : "sym",
    (h, p, n) => {
      const [q, m] = h.str(which === "old" ? "sym" : "target.txt");
      return which === "old"
        ? () => h.fn.path_symlink(p, n, SANDBOX_FD, q, m)
        : () => h.fn.path_symlink(q, m, SANDBOX_FD, p, n);
    },
    {
      verify: (h) => {
        assert.equal(Deno.readLinkSync(h.host("sym")), "target.txt");
        Deno.removeSync(h.host("sym"));
      },
      untouched: (h) => assert.throws(() => Deno.lstatSync(h.host("sym"))),
    },
  );
}
pathCase(
  "path_open",
  "created.txt",
  (h, p, n) => {
    const fd = h.out(4);
    return () => h.fn.path_open(SANDBOX_FD, 0, p, n, 1, /* CREAT */ RW, RW, 0, fd);
  },
  {
    verify: (h) => {
      assert.ok(Deno.statSync(h.host("created.txt")).isFile);
      Deno.removeSync(h.host("created.txt"));
    },
    untouched: (h) => assert.throws(() => Deno.statSync(h.host("created.txt"))),
  },
);
add({
  name: "path_open: the new fd",
  size: 4,
  fs: true,
  arrange: (h, at) => {
    const [p, n] = h.str("opened.txt");
    return () => h.fn.path_open(SANDBOX_FD, 0, p, n, 1, /* CREAT */ RW, RW, 0, at);
  },
  verify: (h, at) => {
    assert.ok(h.u32(at) >= 4);
    assert.equal(h.fn.fd_close(h.u32(at)), 0);
    Deno.removeSync(h.host("opened.txt"));
  },
  // EFAULT comes before the file is created.
  untouched: (h) => assert.throws(() => Deno.statSync(h.host("opened.txt"))),
});
const LINK = "some/target/path";
pathCase(
  "path_readlink",
  "the_link",
  (h, p, n) => {
    const buf = h.out(64), used = h.out(4);
    return () => h.fn.path_readlink(SANDBOX_FD, p, n, buf, 64, used);
  },
  {
    prepare: (h) => Deno.symlinkSync(LINK, h.host("the_link")),
  },
);
add({
  name: "path_readlink: the buffer",
  size: LINK.length,
  fs: true,
  prepare: (h) => Deno.symlinkSync(LINK, h.host("the_link")),
  arrange: (h, at) => {
    const [p, n] = h.str("the_link");
    const used = h.out(4);
    return () => h.fn.path_readlink(SANDBOX_FD, p, n, at, LINK.length, used);
  },
  verify: (h, at) => assert.equal(h.text(at, LINK.length), LINK),
});
add({
  name: "path_readlink: bufused",
  size: 4,
  fs: true,
  prepare: (h) => Deno.symlinkSync(LINK, h.host("the_link")),
  arrange: (h, at) => {
    const [p, n] = h.str("the_link");
    const buf = h.out(64);
    return () => h.fn.path_readlink(SANDBOX_FD, p, n, buf, 64, at);
  },
  verify: (h, at) => assert.equal(h.u32(at), LINK.length),
});
pathCase(
  "path_remove_directory",
  "emptydir",
  (h, p, n) => () => h.fn.path_remove_directory(SANDBOX_FD, p, n),
  {
    prepare: (h) => Deno.mkdirSync(h.host("emptydir")),
    verify: (h) => {
      assert.throws(() => Deno.statSync(h.host("emptydir")));
      Deno.mkdirSync(h.host("emptydir"));
    },
    untouched: (h) => assert.ok(Deno.statSync(h.host("emptydir")).isDirectory),
  },
);
pathCase("path_unlink_file", "doomed.txt", (h, p, n) => () => h.fn.path_unlink_file(SANDBOX_FD, p, n), {
  prepare: (h) => Deno.writeTextFileSync(h.host("doomed.txt"), "d"),
  verify: (h) => {
    assert.throws(() => Deno.statSync(h.host("doomed.txt")));
    Deno.writeTextFileSync(h.host("doomed.txt"), "d");
  },
  untouched: (h) => assert.ok(Deno.statSync(h.host("doomed.txt")).isFile),
});

// ---------------------------------------------------------------------------------------------
// poll_oneoff

/** A preview1 (48-byte) or unstable (56-byte) subscription. */
function subscription(
  abi: "preview1" | "unstable",
  userdata: bigint,
  sub: { clock: number; timeout: bigint } | { fdRead: number },
): Uint8Array {
  const b = new Uint8Array(abi === "preview1" ? 48 : 56);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, userdata, true);
  if ("clock" in sub) {
    const at = abi === "preview1" ? 16 : 24; // snapshot 0 has an identifier first
    v.setUint8(8, 0);
    v.setUint32(at, sub.clock, true);
    v.setBigUint64(at + 8, sub.timeout, true);
  } else {
    v.setUint8(8, 1);
    v.setUint32(16, sub.fdRead, true);
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

function iovBytes(...pairs: [number, number][]): Uint8Array {
  const b = new Uint8Array(8 * pairs.length);
  const v = new DataView(b.buffer);
  pairs.forEach(([p, n], i) => {
    v.setUint32(8 * i, p, true);
    v.setUint32(8 * i + 4, n, true);
  });
  return b;
}

for (const abi of ["preview1", "unstable"] as const) {
  const subSize = abi === "preview1" ? 48 : 56;
  const subs = () =>
    concat(subscription(abi, 11n, { clock: 1, timeout: 1000n }), subscription(abi, 22n, { fdRead: 0 }));
  const options = { version: abi, stdin: "in" } as HarnessOptions;
  const prefix = abi === "preview1" ? "poll_oneoff" : "wasi_unstable poll_oneoff";
  add({
    name: `${prefix}: the subscriptions`,
    size: 2 * subSize,
    options,
    arrange: (h, at) => {
      h.put(at, subs());
      const events = h.out(64), n = h.out(4);
      return () => h.fn.poll_oneoff(at, events, 2, n);
    },
  });
  add({
    name: `${prefix}: the events`,
    size: 64,
    options,
    arrange: (h, at) => {
      const [p] = h.data(subs());
      const n = h.out(4);
      return () => h.fn.poll_oneoff(p, at, 2, n);
    },
    verify: (h, at) => {
      // The fd is ready at once, so only its event is there (the clock has not fired yet, or has).
      assert.equal(h.u64(at), 22n);
      assert.equal(h.u16(at + 8), 0);
      assert.equal(h.u8(at + 10), 1);
    },
  });
  add({
    name: `${prefix}: nevents`,
    size: 4,
    options,
    arrange: (h, at) => {
      const [p] = h.data(subs());
      const events = h.out(64);
      return () => h.fn.poll_oneoff(p, events, 2, at);
    },
    verify: (h, at) => assert.ok([1, 2].includes(h.u32(at))),
  });
}

// ---------------------------------------------------------------------------------------------

for (const c of CASES) {
  if (c.fs) testBoth(`bounds: ${c.name}`, () => run(c));
  else Deno.test(`bounds: ${c.name}`, () => run(c));
}

Deno.test("bounds: every WASI function that takes a pointer has a case above", () => {
  const covered = new Set(CASES.map((c) => c.name.replace(/^wasi_unstable /, "").split(/[(: ]/)[0]));
  const withPointers = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_fdstat_get",
    "fd_filestat_get",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_seek",
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
    "random_get",
  ];
  assert.deepEqual(withPointers.filter((f) => !covered.has(f)), []);
});

Deno.test("bounds: the sock_* calls never look at their pointers (no descriptor is a socket)", () => {
  using h = new Bounds();
  h.grow();
  const edge = h.end - 2; // every structure here would run past the end
  const before = h.bytes.slice();
  assert.equal(h.fn.sock_accept(1, 0, edge), Errno.NOTSOCK);
  assert.equal(h.fn.sock_recv(1, edge, 1, 0, edge, edge), Errno.NOTSOCK);
  assert.equal(h.fn.sock_send(1, edge, 1, 0, edge), Errno.NOTSOCK);
  assert.equal(h.fn.sock_accept(77, 0, edge), Errno.BADF);
  assert.equal(h.fn.sock_recv(77, edge, 1, 0, edge, edge), Errno.BADF);
  assert.equal(h.fn.sock_send(77, edge, 1, 0, edge), Errno.BADF);
  assert.ok(equalBytes(before, h.bytes));
});

Deno.test("bounds: the tracer decodes edge pointers without throwing, and a fault leaves no result line", () => {
  const lines: string[] = [];
  using h = new Bounds({ trace: (l) => lines.push(l), args: ["a"] });
  h.grow();
  const end = h.end;
  assert.equal(h.fn.fd_fdstat_get(1, end - 24), 0);
  assert.equal(h.fn.fd_fdstat_get(1, end - 23), Errno.FAULT);
  h.putStr(end - 3, "abc");
  assert.equal(h.fn.path_create_directory(SANDBOX_FD, end - 3, 3), 0);
  assert.equal(h.fn.path_create_directory(SANDBOX_FD, end - 2, 3), Errno.FAULT);
  assert.equal(h.fn.clock_res_get(1, end - 7), Errno.FAULT);
  assert.deepEqual(lines.filter((l) => l.startsWith("<==")), [
    "<== errno=SUCCESS stat={filetype=UNKNOWN flags=0}",
    "<== errno=FAULT",
    "<== errno=SUCCESS",
    "<== errno=FAULT",
    "<== errno=FAULT",
  ]);
  assert.match(lines[4], /path="abc"/);
  assert.match(lines[6], new RegExp(`path=0x${(end - 2).toString(16)}\\(len 3\\)`));
});

// ---------------------------------------------------------------------------------------------
// GuestMemory on its own: each accessor as the first access after a grow, after a grow that left
// its cached view stale, at the last byte and one byte further.

type Accessor = [name: string, size: number, use: (m: GuestMemory, p: number) => unknown];
const ACCESSORS: Accessor[] = [
  ["u8", 1, (m, p) => m.u8(p)],
  ["u16", 2, (m, p) => m.u16(p)],
  ["u32", 4, (m, p) => m.u32(p)],
  ["u64", 8, (m, p) => m.u64(p)],
  ["setU8", 1, (m, p) => m.setU8(p, 0x11)],
  ["setU16", 2, (m, p) => m.setU16(p, 0x2211)],
  ["setU32", 4, (m, p) => m.setU32(p, 0x44332211)],
  ["setU64", 8, (m, p) => m.setU64(p, 0x8877665544332211n)],
  ["bytes", 5, (m, p) => [...m.bytes(p, 5)]],
  ["write", 5, (m, p) => m.write(p, new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55]))],
  ["string", 5, (m, p) => m.string(p, 5)],
  ["check", 9, (m, p) => m.check(p, 9)],
  ["iovecs", 16, (m, p) => m.iovecs(p, 2).map((b) => b.length)],
];

interface MemLike {
  readonly buffer: ArrayBuffer;
  grow(n: number): number;
}

/** What reading the pattern (byte i of memory = i & 0xff, iovecs of length 3 and 4) gives at `p`. */
function expectedRead(name: string, p: number): unknown {
  const b = (i: number) => (p + i) & 0xff;
  const le = (n: number) => {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b(i));
    return v;
  };
  switch (name) {
    case "u8":
    case "u16":
    case "u32":
      return Number(le(Number(name.slice(1)) / 8));
    case "u64":
      return le(8);
    case "bytes":
      return [0, 1, 2, 3, 4].map(b);
    case "string":
      return "hello";
    case "check":
      return p;
    case "iovecs":
      return [3, 4];
  }
  return undefined;
}

function prime(mem: MemLike, name: string, p: number): void {
  const bytes = new Uint8Array(mem.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
  const put = (data: Uint8Array) => bytes.set(data.subarray(0, Math.max(0, bytes.length - p)), p);
  if (name === "string") put(enc.encode("hello"));
  if (name === "iovecs") put(iovBytes([100, 3], [200, 4]));
}

function accessorEdges(makeMemory: () => MemLike, [name, size, use]: Accessor): void {
  const fault = (m: GuestMemory, p: number) => {
    const mem = m.memory as MemLike;
    prime(mem, name, p);
    const before = new Uint8Array(mem.buffer).slice();
    assert.throws(() => use(m, p), (e: unknown) => e instanceof WasiError && e.errno === Errno.FAULT, name);
    assert.ok(equalBytes(before, new Uint8Array(mem.buffer)), `${name} wrote before faulting`);
  };
  const works = (m: GuestMemory, p: number) => {
    const mem = m.memory as MemLike;
    prime(mem, name, p);
    const got = use(m, p);
    if (name.startsWith("set") || name === "write") {
      const want = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88].slice(0, size);
      assert.deepEqual([...new Uint8Array(mem.buffer, p, size)], want, name);
    } else {
      assert.deepEqual(got, expectedRead(name, p), name);
    }
  };
  // The first access of a fresh GuestMemory, after a grow: in bounds, then beyond.
  for (const first of ["in", "beyond"]) {
    const mem = makeMemory();
    const m = new GuestMemory(mem);
    mem.grow(1);
    const end = mem.buffer.byteLength;
    if (first === "in") works(m, end - size);
    else fault(m, end - size + 1);
    // Then after another grow (the view made above is stale).
    mem.grow(1);
    const end2 = mem.buffer.byteLength;
    works(m, end2 - size);
    mem.grow(1);
    fault(m, mem.buffer.byteLength - size + 1);
    // Pointers near 2^32 (negative as i32) are far beyond, never wrapped around.
    assert.throws(() => use(m, -1), WasiError);
  }
}

for (
  const [label, make] of [
    ["built-in WebAssembly.Memory", () => new WebAssembly.Memory({ initial: 1 }) as unknown as MemLike],
    ["wasmrun's Memory", () => new wasmrun.WebAssembly.Memory({ initial: 1 }) as unknown as MemLike],
  ] as const
) {
  Deno.test(`GuestMemory on ${label}: every accessor at the edge of memory, first access and stale views`, () => {
    for (const a of ACCESSORS) accessorEdges(make, a);
  });
}

const JITLESS_SCRIPT = `
import { GuestMemory } from "MEMORY";
import { WebAssembly as W } from "MOD";
if (typeof globalThis.WebAssembly !== "undefined") throw new Error("expected no built-in WebAssembly");
const mem = new W.Memory({ initial: 1 });
const m = new GuestMemory(mem);
const problems = [];
let buffer = mem.buffer, moves = 0;
for (let i = 0; i < 300; i++) {
  mem.grow(1);
  if (mem.buffer !== buffer) moves++, buffer = mem.buffer;
  const end = mem.buffer.byteLength;
  try {
    m.setU64(end - 8, BigInt(i));
    if (m.u64(end - 8) !== BigInt(i)) problems.push("u64 at " + end);
    m.write(end - 3, new Uint8Array([1, 2, 3]));
    if (m.bytes(end - 3, 3).join() !== "1,2,3") problems.push("bytes at " + end);
  } catch (e) {
    problems.push("at " + end + ": " + e);
  }
  for (const f of [() => m.u64(end - 7), () => m.setU32(end - 3, 1), () => m.bytes(end - 2, 3)]) {
    try {
      f();
      problems.push("no fault at " + end);
    } catch (e) {
      if (e.errno !== 21) problems.push("wrong error at " + end + ": " + e);
    }
  }
}
console.log(JSON.stringify({ resizable: mem.buffer.resizable, moves, problems }));
`;

Deno.test("GuestMemory on wasmrun's resizable memory (--jitless): grows in place and moves, edges exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wasi-bounds-jitless-" });
  try {
    const script = JITLESS_SCRIPT.replace("MEMORY", new URL("../src/wasi/memory.ts", import.meta.url).href)
      .replace("MOD", new URL("../mod.ts", import.meta.url).href);
    await Deno.writeTextFile(`${dir}/run.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--v8-flags=--jitless", `${dir}/run.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = dec.decode(out.stdout);
    assert.ok(out.success, text + dec.decode(out.stderr));
    const r = JSON.parse(text);
    assert.equal(r.resizable, true);
    assert.ok(r.moves >= 1, "300 pages outgrow the first reservation");
    assert.deepEqual(r.problems, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
