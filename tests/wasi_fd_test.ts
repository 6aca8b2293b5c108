/**
 * fd_* functions of the WASI host, called directly with exact arguments (see wasi_harness.ts).
 * Expected errnos follow POSIX and wasmtime; where Node's node:wasi (uvwasi) differs it is noted.
 */
import assert from "node:assert/strict";
import { Errno, FileType, Harness, R, RD, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";

const CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8;
const APPEND = 1, SYNC = 16;

testBoth("fd_write to stdout/stderr sinks and to a file; fd_read back", () => {
  using h = new Harness();
  assert.deepEqual(h.write(1, "héllo\n"), [0, 7]); // UTF-8 byte count
  assert.deepEqual(h.write(2, "err"), [0, 3]);
  assert.equal(h.stdout.text(), "héllo\n");
  assert.equal(h.stderr.text(), "err");
  const fd = h.mustOpen("f.txt", { oflags: CREAT, rights: RW });
  assert.deepEqual(h.write(fd, "abcdef"), [0, 6]);
  assert.equal(Deno.readTextFileSync(h.host("f.txt")), "abcdef");
  const fd2 = h.mustOpen("f.txt");
  assert.deepEqual(h.read(fd2, 4), [0, "abcd"]);
  assert.deepEqual(h.read(fd2, 100), [0, "ef"]);
  assert.deepEqual(h.read(fd2, 100), [0, ""]); // end of file: 0 bytes
});

testBoth("fd_read/fd_write scatter and gather across several iovecs", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("g.txt"), "0123456789");
  const fd = h.mustOpen("g.txt");
  const a = h.alloc(3), b = h.alloc(0), c = h.alloc(4);
  const iovs = h.alloc(24);
  for (const [i, [p, n]] of [[a, 3], [b, 0], [c, 4]].entries()) {
    h.view.setUint32(iovs + i * 8, p, true);
    h.view.setUint32(iovs + i * 8 + 4, n, true);
  }
  const out = h.alloc(4);
  assert.equal(h.fn.fd_read(fd, iovs, 3, out), 0);
  assert.equal(h.u32(out), 7);
  assert.equal(h.text(a, 3) + h.text(c, 4), "0123456");
  // gather: write the same three iovecs to stdout
  assert.equal(h.fn.fd_write(1, iovs, 3, out), 0);
  assert.equal(h.u32(out), 7);
  assert.equal(h.stdout.text(), "0123456");
});

testBoth(
  "fd_read/fd_write: bad fd, directory, wrong direction are EBADF (as wasmtime); a dropped right ENOTCAPABLE",
  () => {
    using h = new Harness();
    assert.equal(h.read(77, 4)[0], Errno.BADF);
    assert.equal(h.write(77, "x")[0], Errno.BADF);
    assert.equal(h.read(SANDBOX_FD, 4)[0], Errno.BADF);
    assert.equal(h.write(SANDBOX_FD, "x")[0], Errno.BADF);
    Deno.writeTextFileSync(h.host("r.txt"), "data");
    const ro = h.mustOpen("r.txt", { rights: RD });
    assert.equal(h.write(ro, "x")[0], Errno.BADF); // opened read-only: Linux and wasmtime say EBADF
    assert.equal(h.read(1, 4)[0], Errno.BADF); // stdout is write-only
    assert.equal(h.write(0, "x")[0], Errno.BADF); // stdin is read-only
    const rw = h.mustOpen("r.txt", { rights: RW });
    assert.equal(h.fn.fd_fdstat_set_rights(rw, R.READ | R.SEEK, 0n), Errno.SUCCESS);
    assert.equal(h.write(rw, "x")[0], Errno.NOTCAPABLE); // a right dropped by the guest
    assert.equal(Deno.readTextFileSync(h.host("r.txt")), "data");
  },
);

testBoth("fd_read/fd_write: iovecs or result pointers outside memory are EFAULT", () => {
  using h = new Harness();
  const out = h.alloc(4);
  assert.equal(h.fn.fd_write(1, 65536 - 4, 1, out), Errno.FAULT);
  const iov = h.alloc(8);
  h.view.setUint32(iov, 65530, true);
  h.view.setUint32(iov + 4, 100, true);
  assert.equal(h.fn.fd_write(1, iov, 1, out), Errno.FAULT);
  const [p, n] = h.str("ok");
  h.view.setUint32(iov, p, true);
  h.view.setUint32(iov + 4, n, true);
  assert.equal(h.fn.fd_write(1, iov, 1, -1), Errno.FAULT);
});

testBoth("stdin from bytes: fd_read returns them, then 0 at end of input", () => {
  using h = new Harness({ stdin: "line1\nline2" });
  assert.deepEqual(h.read(0, 6), [0, "line1\n"]);
  assert.deepEqual(h.read(0, 100), [0, "line2"]);
  assert.deepEqual(h.read(0, 100), [0, ""]);
});

testBoth("fd_pread/fd_pwrite use the offset and leave the position alone", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("p.txt"), "abcdefgh");
  const fd = h.mustOpen("p.txt", { rights: RW });
  assert.deepEqual(h.read(fd, 2), [0, "ab"]);
  const buf = h.alloc(3), iov = h.alloc(8), out = h.alloc(4);
  h.view.setUint32(iov, buf, true);
  h.view.setUint32(iov + 4, 3, true);
  assert.equal(h.fn.fd_pread(fd, iov, 1, 5n, out), 0);
  assert.equal(h.text(buf, h.u32(out)), "fgh");
  const [p, n] = h.str("XY");
  h.view.setUint32(iov, p, true);
  h.view.setUint32(iov + 4, n, true);
  assert.equal(h.fn.fd_pwrite(fd, iov, 1, 3n, out), 0);
  assert.equal(h.u32(out), 2);
  assert.deepEqual(h.read(fd, 100), [0, "cXYfgh"]); // position was still 2
  assert.equal(h.fn.fd_pread(1, iov, 1, 0n, out), Errno.BADF); // stdout cannot be read at all
  assert.equal(h.fn.fd_pwrite(SANDBOX_FD, iov, 1, 0n, out), Errno.BADF); // wasmtime: EBADF
  assert.equal(h.fn.fd_pread(SANDBOX_FD, iov, 1, 0n, out), Errno.BADF);
  assert.equal(h.fn.fd_pwrite(1, iov, 1, 0n, out), Errno.SPIPE);
  assert.equal(h.fn.fd_pread(0, iov, 1, 0n, out), Errno.SPIPE);
  assert.equal(h.fn.fd_pwrite(0, iov, 1, 0n, out), Errno.BADF); // stdin cannot be written at all
});

testBoth("fd_seek: SET/CUR/END, negative result EINVAL, bad whence EINVAL, streams ESPIPE; fd_tell", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("s.txt"), "0123456789");
  const fd = h.mustOpen("s.txt");
  const out = h.alloc(8);
  assert.equal(h.fn.fd_seek(fd, 4n, 0, out), 0);
  assert.equal(h.u64(out), 4n);
  assert.equal(h.fn.fd_seek(fd, 2n, 1, out), 0);
  assert.equal(h.u64(out), 6n);
  assert.equal(h.fn.fd_seek(fd, -3n, 2, out), 0);
  assert.equal(h.u64(out), 7n);
  assert.deepEqual(h.read(fd, 10), [0, "789"]);
  assert.equal(h.fn.fd_seek(fd, -100n, 1, out), Errno.INVAL);
  assert.equal(h.fn.fd_seek(fd, 0n, 3, out), Errno.INVAL);
  assert.equal(h.fn.fd_seek(fd, 20n, 0, out), 0); // past the end is allowed
  assert.equal(h.fn.fd_tell(fd, out), 0);
  assert.equal(h.u64(out), 20n);
  assert.equal(h.fn.fd_seek(0, 0n, 0, out), Errno.SPIPE);
  assert.equal(h.fn.fd_tell(1, out), Errno.SPIPE);
  assert.equal(h.fn.fd_seek(99, 0n, 0, out), Errno.BADF);
  assert.equal(h.fn.fd_seek(SANDBOX_FD, 0n, 0, out), Errno.BADF);
});

testBoth("fd_close closes once; fd_renumber moves an fd (preopens too) and needs both ends open", () => {
  using h = new Harness();
  const fd = h.mustOpen("x", { oflags: CREAT, rights: RW });
  assert.equal(h.fn.fd_close(fd), 0);
  assert.equal(h.fn.fd_close(fd), Errno.BADF);
  assert.equal(h.write(fd, "x")[0], Errno.BADF);

  const a = h.mustOpen("a", { oflags: CREAT, rights: RW });
  assert.equal(h.fn.fd_renumber(SANDBOX_FD, 99), Errno.BADF); // target not open
  assert.equal(h.fn.fd_renumber(98, a), Errno.BADF);
  // Move the preopen onto `a`: `a` is closed, the preopen answers at its number.
  assert.equal(h.fn.fd_renumber(SANDBOX_FD, a), 0);
  const pre = h.alloc(8);
  assert.equal(h.fn.fd_prestat_get(SANDBOX_FD, pre), Errno.BADF);
  assert.equal(h.fn.fd_prestat_get(a, pre), 0);
  assert.equal(h.u32(pre + 4), "/sandbox".length);
  assert.equal(h.open("new", { oflags: CREAT, rights: RW, dirFd: a })[0], 0);
  assert.equal(h.fn.fd_renumber(a, a), 0); // onto itself: nothing happens
  assert.equal(h.fn.fd_prestat_get(a, pre), 0);
});

testBoth("fd_fdstat_get reports WASI filetypes, flags and rights", () => {
  using h = new Harness();
  const st = h.alloc(24);
  assert.equal(h.fn.fd_fdstat_get(SANDBOX_FD, st), 0);
  assert.equal(h.u8(st), FileType.DIRECTORY);
  assert.ok((h.u64(st + 8) & (1n << 13n)) !== 0n, "preopen has PATH_OPEN");
  const fd = h.mustOpen("f", { oflags: CREAT, rights: RW, fdflags: APPEND });
  assert.equal(h.fn.fd_fdstat_get(fd, st), 0);
  assert.equal(h.u8(st), FileType.REGULAR_FILE);
  assert.equal(h.u16(st + 2), APPEND);
  const base = h.u64(st + 8);
  assert.ok((base & R.WRITE) !== 0n && (base & R.SEEK) !== 0n);
  assert.equal(base & (1n << 13n), 0n, "a file has no PATH_OPEN right");
  // In-memory stdio is a stream: unknown type (not a character device), no seek/tell rights.
  assert.equal(h.fn.fd_fdstat_get(1, st), 0);
  assert.equal(h.u8(st), FileType.UNKNOWN);
  assert.equal(h.u64(st + 8) & (R.SEEK | R.TELL), 0n);
  assert.equal(h.fn.fd_fdstat_get(50, st), Errno.BADF);
});

testBoth("fd_fdstat_set_flags: APPEND takes effect, unknown bits are EINVAL", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("log"), "one\n");
  const fd = h.mustOpen("log", { rights: RW });
  assert.equal(h.fn.fd_fdstat_set_flags(fd, APPEND), 0);
  h.write(fd, "two\n");
  assert.equal(Deno.readTextFileSync(h.host("log")), "one\ntwo\n");
  assert.equal(h.fn.fd_fdstat_set_flags(fd, 0), 0);
  const out = h.alloc(8);
  h.fn.fd_seek(fd, 0n, 0, out);
  h.write(fd, "ONE");
  assert.equal(Deno.readTextFileSync(h.host("log")), "ONE\ntwo\n");
  assert.equal(h.fn.fd_fdstat_set_flags(fd, 0x100), Errno.INVAL);
  assert.equal(h.fn.fd_fdstat_set_flags(fd, SYNC), 0); // writes are then synced
  h.write(fd, "!");
  assert.equal(Deno.readTextFileSync(h.host("log")), "ONE!two\n");
});

testBoth("fd_fdstat_set_rights only drops rights, and dropped rights are enforced", () => {
  using h = new Harness();
  const fd = h.mustOpen("f", { oflags: CREAT, rights: RW });
  const st = h.alloc(24);
  h.fn.fd_fdstat_get(fd, st);
  const base = h.u64(st + 8);
  assert.equal(h.fn.fd_fdstat_set_rights(fd, base & ~R.WRITE, 0n), 0);
  assert.equal(h.write(fd, "x")[0], Errno.NOTCAPABLE);
  assert.equal(h.fn.fd_fdstat_set_rights(fd, base, 0n), Errno.NOTCAPABLE); // cannot regain
  h.fn.fd_fdstat_get(fd, st);
  assert.equal(h.u64(st + 8), base & ~R.WRITE);
});

testBoth("fd_filestat_get: size, type, links and nanosecond timestamps", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "12345");
  Deno.utimeSync(h.host("f"), new Date(1_600_000_000_123), new Date(1_700_000_000_456));
  const fd = h.mustOpen("f");
  // 64 bytes between two canaries: the record fills its 64 bytes and nothing beside them.
  const before = h.alloc(8), buf = h.alloc(64), after = h.alloc(8);
  h.bytes.fill(0xaa, before, after + 8);
  assert.equal(h.fn.fd_filestat_get(fd, buf), 0);
  assert.deepEqual([...h.bytes.subarray(before, before + 8), ...h.bytes.subarray(after, after + 8)], [
    ...new Array(16).fill(0xaa),
  ]);
  const host = Deno.statSync(h.host("f"));
  assert.equal(h.u64(buf), BigInt(host.dev));
  assert.deepEqual(
    [...h.bytes.subarray(buf + 17, buf + 24)],
    [0, 0, 0, 0, 0, 0, 0],
    "padding after the type",
  );
  // ctim: the host's status-change time (Deno's stat gives it in whole seconds; the native backend has the ns).
  assert.equal(h.u64(buf + 56) / 1_000_000_000n, BigInt(Math.floor(host.ctime!.getTime() / 1000)));
  assert.equal(h.u8(buf + 16), FileType.REGULAR_FILE);
  assert.equal(h.u64(buf + 24), 1n); // nlink
  assert.equal(h.u64(buf + 32), 5n);
  assert.equal(h.u64(buf + 40), 1_600_000_000_123_000_000n); // atim in ns (Deno gives ms)
  assert.equal(h.u64(buf + 48), 1_700_000_000_456_000_000n);
  assert.equal(h.u64(buf + 8), BigInt(Deno.statSync(h.host("f")).ino!));
  assert.equal(h.fn.fd_filestat_get(SANDBOX_FD, buf), 0);
  assert.equal(h.u8(buf + 16), FileType.DIRECTORY);
  assert.equal(h.fn.fd_filestat_get(1, buf), 0);
  assert.equal(h.u8(buf + 16), FileType.UNKNOWN);
  assert.equal(h.fn.fd_filestat_get(42, buf), Errno.BADF);
});

testBoth("fd_filestat_set_size truncates and extends; needs the right; not on directories", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "0123456789");
  const fd = h.mustOpen("f", { rights: RW });
  assert.equal(h.fn.fd_filestat_set_size(fd, 4n), 0);
  assert.equal(Deno.readTextFileSync(h.host("f")), "0123");
  assert.equal(h.fn.fd_filestat_set_size(fd, 6n), 0);
  assert.deepEqual([...Deno.readFileSync(h.host("f"))], [48, 49, 50, 51, 0, 0]);
  const ro = h.mustOpen("f", { rights: RD });
  assert.equal(h.fn.fd_filestat_set_size(ro, 1n), Errno.INVAL); // opened read-only (ftruncate, wasmtime)
  assert.equal(h.fn.fd_filestat_set_size(SANDBOX_FD, 1n), Errno.BADF); // files only (wasmtime)
});

testBoth("fd_filestat_set_times: explicit times, NOW, and conflicting flags", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "x");
  const fd = h.mustOpen("f", { rights: RW });
  const ATIM = 1, ATIM_NOW = 2, MTIM = 4, MTIM_NOW = 8;
  assert.equal(
    h.fn.fd_filestat_set_times(fd, 1_000_000_000_000_000_000n, 2_000_000_000_000_000_000n, ATIM | MTIM),
    0,
  );
  let st = Deno.statSync(h.host("f"));
  assert.equal(st.atime!.getTime(), 1_000_000_000_000);
  assert.equal(st.mtime!.getTime(), 2_000_000_000_000);
  // Only mtime = now: atime stays.
  const before = Date.now();
  assert.equal(h.fn.fd_filestat_set_times(fd, 0n, 0n, MTIM_NOW), 0);
  st = Deno.statSync(h.host("f"));
  assert.equal(st.atime!.getTime(), 1_000_000_000_000);
  assert.ok(st.mtime!.getTime() >= before - 1000);
  assert.equal(h.fn.fd_filestat_set_times(fd, 0n, 0n, ATIM | ATIM_NOW), Errno.INVAL);
  assert.equal(h.fn.fd_filestat_set_times(fd, 0n, 0n, MTIM | MTIM_NOW), Errno.INVAL);
  assert.equal(h.fn.fd_filestat_set_times(fd, 0n, 0n, 16), Errno.INVAL);
  // On a directory fd (by path).
  assert.equal(h.fn.fd_filestat_set_times(SANDBOX_FD, 0n, 3_000_000_000_000_000_000n, MTIM), 0);
  assert.equal(Deno.statSync(h.root).mtime!.getTime(), 3_000_000_000_000);
});

testBoth("fd_advise validates its arguments; fd_allocate extends but never shrinks", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "0123456789");
  const fd = h.mustOpen("f", { rights: RW });
  assert.equal(h.fn.fd_advise(fd, 0n, 10n, 1), 0);
  assert.equal(h.fn.fd_advise(fd, 0n, 10n, 6), Errno.INVAL);
  assert.equal(h.fn.fd_advise(fd, -1n, 10n, 0), Errno.INVAL);
  assert.equal(h.fn.fd_advise(1, 0n, 0n, 0), Errno.BADF); // files only (wasmtime)
  assert.equal(h.fn.fd_advise(SANDBOX_FD, 0n, 0n, 0), Errno.BADF);
  assert.equal(h.fn.fd_advise(77, 0n, 0n, 9), Errno.INVAL); // the advice is judged first
  assert.equal(h.fn.fd_allocate(fd, 0n, 5n), 0);
  assert.equal(Deno.statSync(h.host("f")).size, 10);
  assert.equal(h.fn.fd_allocate(fd, 8n, 8n), 0);
  assert.equal(Deno.statSync(h.host("f")).size, 16);
  assert.equal(Deno.readTextFileSync(h.host("f")).slice(0, 10), "0123456789");
  assert.equal(h.fn.fd_allocate(fd, 0n, 0n), Errno.INVAL);
  const ro = h.mustOpen("f", { rights: RD });
  assert.equal(h.fn.fd_allocate(ro, 0n, 100n), Errno.BADF); // opened read-only (posix_fallocate)
  assert.equal(h.fn.fd_allocate(1, 0n, 1n), Errno.BADF); // files only (wasmtime)
  assert.equal(h.fn.fd_allocate(SANDBOX_FD, 0n, 1n), Errno.BADF);
});

testBoth("fd_sync on files and directories, fd_datasync on files; streams are EBADF", () => {
  using h = new Harness();
  const fd = h.mustOpen("f", { oflags: CREAT, rights: RW });
  h.write(fd, "x");
  assert.equal(h.fn.fd_sync(fd), 0);
  assert.equal(h.fn.fd_datasync(fd), 0);
  assert.equal(h.fn.fd_sync(SANDBOX_FD), 0);
  assert.equal(h.fn.fd_sync(1), Errno.BADF);
  assert.equal(h.fn.fd_datasync(1), Errno.BADF);
  assert.equal(h.fn.fd_datasync(SANDBOX_FD), Errno.BADF); // wasmtime: files only
  assert.equal(h.fn.fd_datasync(88), Errno.BADF);
  const ro = h.mustOpen("f", { rights: RD });
  assert.equal(h.fn.fd_datasync(ro), Errno.NOTCAPABLE); // wasi-libc's O_RDONLY drops FD_DATASYNC
});

testBoth("fd_prestat_get / fd_prestat_dir_name: preopens only; a short buffer is ENAMETOOLONG", () => {
  const dir = Deno.makeTempDirSync();
  using h = new Harness({ preopens: { "/dåta": dir } });
  const pre = h.alloc(8);
  assert.equal(h.fn.fd_prestat_get(3, pre), 0);
  assert.equal(h.u8(pre), 0); // preopentype dir
  assert.equal(h.u32(pre + 4), 6); // UTF-8 bytes of "/dåta"
  const buf = h.alloc(16);
  assert.equal(h.fn.fd_prestat_dir_name(3, buf, 6), 0);
  assert.equal(h.text(buf, 6), "/dåta");
  assert.equal(h.u8(buf + 6), 0, "no terminator written");
  assert.equal(h.fn.fd_prestat_dir_name(3, buf, 5), Errno.NAMETOOLONG); // uvwasi: ENOBUFS
  assert.equal(h.fn.fd_prestat_get(4, pre), Errno.BADF); // end of the preopen list
  assert.equal(h.fn.fd_prestat_get(1, pre), Errno.BADF);
  Deno.removeSync(dir);
});

function readdir(h: Harness, fd: number, size: number, cookie: bigint): { used: number; buf: number } {
  const buf = h.alloc(size), out = h.alloc(4);
  const errno = h.fn.fd_readdir(fd, buf, size, cookie, out);
  if (errno !== 0) throw new Error(`fd_readdir errno ${errno}`);
  return { used: h.u32(out), buf };
}

function parseDirents(h: Harness, buf: number, used: number) {
  const out: { next: bigint; ino: bigint; name: string; type: number }[] = [];
  let at = buf;
  while (at + 24 <= buf + used) {
    const len = h.u32(at + 16);
    if (at + 24 + len > buf + used) break;
    out.push({ next: h.u64(at), ino: h.u64(at + 8), name: h.text(at + 24, len), type: h.u8(at + 20) });
    at += 24 + len;
  }
  return out;
}

testBoth("fd_readdir lists . and .., types and inodes, and resumes from cookies", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("file"), "");
  Deno.mkdirSync(h.host("sub"));
  Deno.symlinkSync("file", h.host("link"));
  const { used, buf } = readdir(h, SANDBOX_FD, 4096, 0n);
  const all = parseDirents(h, buf, used);
  assert.deepEqual(all.slice(0, 2).map((e) => [e.name, e.type]), [[".", 3], ["..", 3]]);
  const byName = Object.fromEntries(all.map((e) => [e.name, e]));
  assert.equal(byName.file.type, FileType.REGULAR_FILE);
  assert.equal(byName.sub.type, FileType.DIRECTORY);
  assert.equal(byName.link.type, FileType.SYMBOLIC_LINK);
  assert.equal(byName.file.ino, BigInt(Deno.statSync(h.host("file")).ino!));
  assert.equal(all.length, 5);
  all.forEach((e, i) => assert.equal(e.next, BigInt(i + 1)));
  // Resume after the third entry.
  const rest = parseDirents(
    h,
    ...Object.values(readdir(h, SANDBOX_FD, 4096, 3n)).reverse() as [number, number],
  );
  assert.deepEqual(rest.map((e) => e.name), all.slice(3).map((e) => e.name));
  // A cookie past the end yields nothing.
  assert.equal(readdir(h, SANDBOX_FD, 4096, 99n).used, 0);
});

testBoth("fd_readdir returns names of every length from 1 to 255 bytes whole", () => {
  using h = new Harness();
  // Every length, so every record size the host's readdir uses (glibc rounds 19 + length + 1 up to 8:
  // lengths 229-236 make a 256-byte record) comes up; a letter per length keeps the names apart.
  const names = Array.from({ length: 255 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(i + 1));
  for (const name of names) Deno.writeTextFileSync(h.host(name), "");
  const { used, buf } = readdir(h, SANDBOX_FD, 60_000, 0n);
  const listed = parseDirents(h, buf, used).map((e) => e.name).filter((n) => n !== "." && n !== "..");
  assert.deepEqual(listed.sort(), names.toSorted());
});

testBoth("fd_readdir fills a short buffer exactly, truncating the last entry", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("abcdefgh"), "");
  // "." takes 25 bytes, ".." 26, "abcdefgh" 32: 60 bytes cut the third entry after 9 bytes.
  const { used, buf } = readdir(h, SANDBOX_FD, 60, 0n);
  assert.equal(used, 60);
  const whole = parseDirents(h, buf, used);
  assert.deepEqual(whole.map((e) => e.name), [".", ".."]);
  assert.equal(h.u64(buf + 51), 3n, "the truncated entry's d_next is there");
  // The guest then asks again from the last complete cookie and gets the rest.
  const again = readdir(h, SANDBOX_FD, 60, 2n);
  assert.deepEqual(parseDirents(h, again.buf, again.used).map((e) => e.name), ["abcdefgh"]);
  assert.equal(again.used, 32);
  // A buffer smaller than one header still reports it is full.
  assert.equal(readdir(h, SANDBOX_FD, 10, 0n).used, 10);
});

testBoth("fd_readdir: files and bad fds are EBADF (as wasmtime), and cookie 0 takes a fresh listing", () => {
  using h = new Harness();
  const fd = h.mustOpen("f", { oflags: CREAT, rights: RW });
  const buf = h.alloc(100), out = h.alloc(4);
  assert.equal(h.fn.fd_readdir(fd, buf, 100, 0n, out), Errno.BADF);
  assert.equal(h.fn.fd_readdir(0, buf, 100, 0n, out), Errno.BADF);
  assert.equal(h.fn.fd_readdir(77, buf, 100, 0n, out), Errno.BADF);
  const first = readdir(h, SANDBOX_FD, 4096, 0n);
  assert.equal(parseDirents(h, first.buf, first.used).length, 3);
  Deno.writeTextFileSync(h.host("g"), "");
  const second = readdir(h, SANDBOX_FD, 4096, 0n);
  assert.equal(parseDirents(h, second.buf, second.used).length, 4);
});

testBoth("directories opened with path_open list their own entries", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("d/e"), { recursive: true });
  Deno.writeTextFileSync(h.host("d/inner"), "");
  const fd = h.mustOpen("d", { oflags: DIRECTORY });
  const { used, buf } = readdir(h, fd, 4096, 0n);
  const names = parseDirents(h, buf, used).map((e) => e.name).sort();
  assert.deepEqual(names, [".", "..", "e", "inner"]);
  assert.equal(h.open("inner", { dirFd: fd })[0], 0);
});

export { CREAT, DIRECTORY, EXCL, TRUNC };
