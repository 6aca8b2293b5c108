/**
 * Writing files through WASI, past what the basic fd tests cover: fd_pwrite of several iovecs (small
 * ones are gathered into one host write, large ones written as they are, each at the offset where the
 * ones before it ended), and the rights that need the host file opened for writing although they are
 * not FD_WRITE (FD_FILESTAT_SET_SIZE and FD_ALLOCATE).
 */
import assert from "node:assert/strict";
import { Errno, Harness, R, RO_FD, testBoth } from "./wasi_harness.ts";

/** Places iovecs for `parts` (each filled with its own byte value) and returns [iovs, count]. */
function iovecs(h: Harness, parts: [len: number, fill: number][]): [number, number] {
  const iovs = h.alloc(8 * parts.length);
  parts.forEach(([len, fill], i) => {
    const p = h.alloc(len);
    h.bytes.fill(fill, p, p + len);
    h.view.setUint32(iovs + 8 * i, p, true);
    h.view.setUint32(iovs + 8 * i + 4, len, true);
  });
  return [iovs, parts.length];
}

/** What the file should hold: `base`, then `parts` from `at` on, one after the other. */
function expected(base: Uint8Array, at: number, parts: [number, number][]): Uint8Array {
  const total = parts.reduce((n, [len]) => n + len, 0);
  const out = new Uint8Array(Math.max(base.length, at + total));
  out.set(base);
  let p = at;
  for (const [len, fill] of parts) out.fill(fill, p, p += len);
  return out;
}

function assertSameBytes(got: Uint8Array, want: Uint8Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const first = got.findIndex((b, i) => b !== want[i]);
  assert.equal(first, -1, `${what}: first differing byte at ${first}`);
}

testBoth("fd_pwrite of small and large iovecs writes each where the one before ended", () => {
  using h = new Harness();
  h.memory.grow(2); // 192 KiB: room for iovecs above the 32 KiB gathering bound, in every layout
  const base = new Uint8Array(200).fill(0x2e);
  const layouts: [string, number, [number, number][]][] = [
    ["small, large, large", 100, [[10, 0x61], [40000, 0x62], [33000, 0x63]]],
    ["large, small, small", 50, [[36000, 0x64], [7, 0x65], [5, 0x66]]],
    ["small, small, large", 0, [[3, 0x67], [4, 0x68], [32768, 0x69]]],
  ];
  for (const [what, at, parts] of layouts) {
    Deno.writeFileSync(h.host("p.bin"), base);
    const fd = h.mustOpen("p.bin", { rights: R.READ | R.WRITE | R.SEEK | R.TELL });
    const [iovs, n] = iovecs(h, parts);
    const out = h.alloc(4), pos = h.alloc(8);
    assert.equal(h.fn.fd_pwrite(fd, iovs, n, BigInt(at), out), 0, what);
    assert.equal(h.u32(out), parts.reduce((s, [len]) => s + len, 0), `${what}: bytes written`);
    assertSameBytes(Deno.readFileSync(h.host("p.bin")), expected(base, at, parts), what);
    assert.equal(h.fn.fd_tell(fd, pos), 0);
    assert.equal(h.u64(pos), 0n, `${what}: the position is left alone`);
    assert.equal(h.fn.fd_close(fd), 0);
  }
});

testBoth("fd_write of small and large iovecs appends them in order at the position", () => {
  using h = new Harness();
  h.memory.grow(1);
  const parts: [number, number][] = [[10, 0x61], [40000, 0x62], [6, 0x63], [33000, 0x64]];
  Deno.writeTextFileSync(h.host("w.bin"), "head");
  const fd = h.mustOpen("w.bin", { rights: R.READ | R.WRITE | R.SEEK });
  const out = h.alloc(8);
  assert.equal(h.fn.fd_seek(fd, 4n, 0, out), 0);
  const [iovs, n] = iovecs(h, parts);
  assert.equal(h.fn.fd_write(fd, iovs, n, out), 0);
  assert.equal(h.u32(out), 73016);
  assertSameBytes(
    Deno.readFileSync(h.host("w.bin")),
    expected(new TextEncoder().encode("head"), 4, parts),
    "write",
  );
});

testBoth("path_open: FD_FILESTAT_SET_SIZE or FD_ALLOCATE without FD_WRITE opens the file for writing", () => {
  using h = new Harness({ readOnlyPreopen: true });
  const size = (name: string) => Deno.statSync(h.host(name)).size;

  Deno.writeTextFileSync(h.host("t.txt"), "0123456789");
  const sizer = h.mustOpen("t.txt", { rights: R.READ | R.FILESTAT_SET_SIZE });
  assert.equal(h.fn.fd_filestat_set_size(sizer, 4n), 0);
  assert.equal(Deno.readTextFileSync(h.host("t.txt")), "0123");
  assert.deepEqual(h.read(sizer, 10), [0, "0123"]); // still readable
  assert.equal(h.write(sizer, "x")[0], Errno.NOTCAPABLE); // but not writable through WASI

  const sizeOnly = h.mustOpen("t.txt", { rights: R.FILESTAT_SET_SIZE });
  assert.equal(h.fn.fd_filestat_set_size(sizeOnly, 2n), 0);
  assert.equal(Deno.readTextFileSync(h.host("t.txt")), "01");

  const allocator = h.mustOpen("t.txt", { rights: R.READ | R.ALLOCATE });
  assert.equal(h.fn.fd_allocate(allocator, 0n, 100n), 0);
  assert.equal(size("t.txt"), 100);
  assert.deepEqual(h.read(allocator, 2), [0, "01"]);

  const allocOnly = h.mustOpen("t.txt", { rights: R.ALLOCATE });
  assert.equal(h.fn.fd_allocate(allocOnly, 100n, 28n), 0);
  assert.equal(size("t.txt"), 128);

  // Below a read-only preopen such a file cannot be opened at all: it would be opened for writing.
  Deno.writeTextFileSync(`${h.roRoot}/f`, "ro");
  assert.equal(h.open("f", { dirFd: RO_FD, rights: R.READ | R.FILESTAT_SET_SIZE })[0], Errno.ROFS);
  assert.equal(h.open("f", { dirFd: RO_FD, rights: R.READ | R.ALLOCATE })[0], Errno.ROFS);
  assert.equal(h.open("f", { dirFd: RO_FD, rights: R.READ })[0], 0);
});
