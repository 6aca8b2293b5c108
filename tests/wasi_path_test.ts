/**
 * path_* functions of the WASI host: oflags, lookupflags, trailing slashes, symlinks, NUL and
 * UTF-8 checks, and the POSIX errno of every refusal. Sandbox escapes are in wasi_sandbox_test.ts.
 */
import assert from "node:assert/strict";
import { Errno, FileType, Harness, R, RD, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";

const CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8;

testBoth("path_open: CREAT, EXCL, TRUNC and plain opens", () => {
  using h = new Harness();
  assert.equal(h.open("nope")[0], Errno.NOENT);
  const fd = h.mustOpen("new.txt", { oflags: CREAT, rights: RW });
  h.write(fd, "hello");
  assert.equal(Deno.readTextFileSync(h.host("new.txt")), "hello");
  assert.equal(h.open("new.txt", { oflags: CREAT | EXCL, rights: RW })[0], Errno.EXIST);
  assert.equal(h.open("new.txt", { oflags: CREAT, rights: RW })[0], 0); // CREAT alone reuses it
  assert.equal(Deno.readTextFileSync(h.host("new.txt")), "hello");
  assert.equal(h.open("new.txt", { oflags: TRUNC, rights: RW })[0], 0);
  assert.equal(Deno.readTextFileSync(h.host("new.txt")), "");
});

testBoth("path_open: DIRECTORY flag, directories refuse write access, trailing slashes", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("d"));
  Deno.writeTextFileSync(h.host("f"), "x");
  assert.equal(h.open("f", { oflags: DIRECTORY })[0], Errno.NOTDIR);
  assert.equal(h.open("d", { oflags: DIRECTORY })[0], 0);
  assert.equal(h.open("d", { rights: RW })[0], Errno.ISDIR);
  assert.equal(h.open("d", { oflags: TRUNC, rights: RW })[0], Errno.ISDIR);
  assert.equal(h.open("f/")[0], Errno.NOTDIR);
  assert.equal(h.open("d/")[0], 0);
  assert.equal(h.open("d/.")[0], 0);
  assert.equal(h.open("f/.")[0], Errno.NOTDIR);
  assert.equal(h.open("newfile/", { oflags: CREAT, rights: RW })[0], Errno.ISDIR);
  assert.equal(h.open("newdir", { oflags: CREAT | DIRECTORY, rights: RD })[0], Errno.INVAL);
  assert.equal(h.open("f/x")[0], Errno.NOTDIR); // a file in the middle of a path
  assert.equal(h.open("missing/x", { oflags: CREAT, rights: RW })[0], Errno.NOENT);
  assert.equal(h.open("x", { dirFd: h.mustOpen("f") })[0], Errno.NOTDIR); // relative to a file
});

testBoth("path_open: symlinks followed or not (ELOOP), dangling links, loops", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("target"), "T");
  Deno.symlinkSync("target", h.host("link"));
  Deno.symlinkSync("nowhere", h.host("dangling"));
  Deno.symlinkSync("loop2", h.host("loop1"));
  Deno.symlinkSync("loop1", h.host("loop2"));
  Deno.mkdirSync(h.host("d"));
  Deno.symlinkSync("d", h.host("dlink"));
  const fd = h.mustOpen("link");
  assert.deepEqual(h.read(fd, 10), [0, "T"]);
  assert.equal(h.open("link", { follow: false })[0], Errno.LOOP); // O_NOFOLLOW
  assert.equal(h.open("dlink/", { follow: false })[0], 0); // a trailing slash always follows
  assert.equal(h.open("dlink", { follow: false, oflags: DIRECTORY })[0], Errno.LOOP);
  assert.equal(h.open("dangling")[0], Errno.NOENT);
  assert.equal(h.open("loop1")[0], Errno.LOOP);
  assert.equal(h.open("loop1/x")[0], Errno.LOOP); // intermediate components always follow
  // Creating through a dangling link creates its target, as POSIX open(O_CREAT) does.
  assert.equal(h.open("dangling", { oflags: CREAT, rights: RW })[0], 0);
  assert.ok(Deno.statSync(h.host("nowhere")).isFile);
  // A chain of 41 links is too long (Linux allows 40).
  for (let i = 0; i < 41; i++) Deno.symlinkSync(i === 40 ? "target" : `c${i + 1}`, h.host(`c${i}`));
  assert.equal(h.open("c1")[0], 0); // 40 hops
  assert.equal(h.open("c0")[0], Errno.LOOP); // 41 hops
});

testBoth("path_open: NUL, invalid UTF-8, empty and over-long names", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("a"), "x");
  assert.equal(h.open("a\0b")[0], Errno.INVAL);
  const [p] = h.data(new Uint8Array([0x61, 0xff, 0x62]));
  const out = h.alloc(4);
  assert.equal(h.fn.path_open(SANDBOX_FD, 1, p, 3, 0, RD, RD, 0, out), Errno.ILSEQ);
  assert.equal(h.open("")[0], Errno.NOENT);
  assert.equal(h.open("x".repeat(256), { oflags: CREAT, rights: RW })[0], Errno.NAMETOOLONG);
  assert.equal(h.open("x".repeat(255), { oflags: CREAT, rights: RW })[0], 0);
  assert.equal(h.open("é/".repeat(2100))[0], Errno.NAMETOOLONG); // > PATH_MAX bytes
  // PATH_MAX (4096) counts the terminating NUL: 4095 bytes are the longest path, 4096 one too many.
  assert.equal(h.open(`${"./".repeat(2047)}a`)[0], 0);
  assert.equal(h.open(`${"./".repeat(2047)}aa`)[0], Errno.NAMETOOLONG);
});

testBoth("path_open: rights must be within the directory's inheriting rights; bad flags EINVAL", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("d"));
  Deno.writeTextFileSync(h.host("d/f"), "x");
  // Open d with inheriting rights that exclude FD_WRITE: files below cannot get it.
  const [p, n] = h.str("d");
  const out = h.alloc(4);
  assert.equal(h.fn.path_open(SANDBOX_FD, 1, p, n, DIRECTORY, RD, RD, 0, out), 0);
  const d = h.u32(out);
  assert.equal(h.open("f", { dirFd: d, rights: RW })[0], Errno.NOTCAPABLE);
  assert.equal(h.open("f", { dirFd: d, rights: RD })[0], 0);
  assert.equal(h.open("f", { oflags: 0x10 })[0], Errno.INVAL);
  assert.equal(h.open("f", { fdflags: 0x20 })[0], Errno.INVAL);
  assert.equal(h.open("f", { dirFd: 1 })[0], Errno.BADF); // stdout is no directory (wasmtime: EBADF)
  assert.equal(h.open("f", { dirFd: 55, oflags: 0x10 })[0], Errno.INVAL); // flags are judged first
  assert.equal(h.open("f", { dirFd: 55, rights: 1n << 40n })[0], Errno.INVAL); // unknown rights bits
  assert.equal(h.open("f", { dirFd: 55 })[0], Errno.BADF);
});

testBoth("path_create_directory", () => {
  using h = new Harness();
  assert.equal(h.pathCall("path_create_directory", "d"), 0);
  assert.ok(Deno.statSync(h.host("d")).isDirectory);
  assert.equal(h.pathCall("path_create_directory", "d"), Errno.EXIST);
  assert.equal(h.pathCall("path_create_directory", "d/e/"), 0); // trailing slash is fine for mkdir
  assert.equal(h.pathCall("path_create_directory", "x/y"), Errno.NOENT);
  Deno.writeTextFileSync(h.host("f"), "");
  assert.equal(h.pathCall("path_create_directory", "f"), Errno.EXIST);
  assert.equal(h.pathCall("path_create_directory", "f/g"), Errno.NOTDIR);
  assert.equal(h.pathCall("path_create_directory", "."), Errno.EXIST);
  assert.equal(h.pathCall("path_create_directory", "d", 1), Errno.BADF); // fd 1 is a stream (wasmtime)
});

testBoth("path_filestat_get follows symlinks only when asked", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "12345");
  Deno.symlinkSync("f", h.host("l"));
  assert.deepEqual(h.stat("f"), [0, FileType.REGULAR_FILE, 5n]);
  assert.deepEqual(h.stat("l", true), [0, FileType.REGULAR_FILE, 5n]);
  assert.deepEqual(h.stat("l", false), [0, FileType.SYMBOLIC_LINK, 1n]);
  assert.deepEqual(h.stat(".", false).slice(0, 2), [0, FileType.DIRECTORY]);
  assert.equal(h.stat("missing")[0], Errno.NOENT);
  // nlink counts hard links.
  Deno.linkSync(h.host("f"), h.host("f2"));
  const [p, n] = h.str("f");
  const buf = h.alloc(64);
  assert.equal(h.fn.path_filestat_get(SANDBOX_FD, 0, p, n, buf), 0);
  assert.equal(h.u64(buf + 24), 2n);
});

testBoth("path_filestat_set_times sets file times; a symlink's own (native) or ENOTSUP (deno)", (backend) => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "");
  Deno.symlinkSync("f", h.host("l"));
  const [p, n] = h.str("l");
  const ATIM = 1, MTIM = 4;
  assert.equal(
    h.fn.path_filestat_set_times(SANDBOX_FD, 1, p, n, 5_000_000_000_000n, 6_000_000_000_000n, ATIM | MTIM),
    0,
  );
  const st = Deno.statSync(h.host("f"));
  assert.equal(st.atime!.getTime(), 5_000_000);
  assert.equal(st.mtime!.getTime(), 6_000_000);
  if (backend === "deno") {
    // Deno's utime follows the link: the link's own times cannot be set.
    assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 0, p, n, 0n, 0n, MTIM), Errno.NOTSUP);
  } else {
    // utimensat(AT_SYMLINK_NOFOLLOW): the link changes, its target does not.
    assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 0, p, n, 0n, 7_000_000_000_000n, MTIM), 0);
    assert.equal(Deno.lstatSync(h.host("l")).mtime!.getTime(), 7_000_000);
    assert.equal(Deno.statSync(h.host("f")).mtime!.getTime(), 6_000_000);
    // Nanoseconds survive on this backend.
    const exact = 1796121877620999900n;
    const [fp, fn] = h.str("f");
    assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 0, fp, fn, 0n, exact, MTIM), 0);
    const buf = h.alloc(64);
    assert.equal(h.fn.path_filestat_get(SANDBOX_FD, 0, fp, fn, buf), 0);
    assert.equal(h.u64(buf + 48), exact);
  }
  assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 1, p, n, 0n, 0n, 3), Errno.INVAL);
  const [q, m] = h.str("missing");
  assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 1, q, m, 0n, 0n, MTIM), Errno.NOENT);
});

function link(h: Harness, from: string, to: string, follow = false): number {
  const [p, n] = h.str(from);
  const [q, m] = h.str(to);
  return h.fn.path_link(SANDBOX_FD, follow ? 1 : 0, p, n, SANDBOX_FD, q, m);
}

testBoth("path_link makes hard links; directories EPERM; existing target EEXIST", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "data");
  assert.equal(link(h, "f", "g"), 0);
  assert.equal(Deno.statSync(h.host("g")).ino, Deno.statSync(h.host("f")).ino);
  assert.equal(link(h, "f", "g"), Errno.EXIST);
  assert.equal(link(h, "missing", "h"), Errno.NOENT);
  Deno.mkdirSync(h.host("d"));
  assert.equal(link(h, "d", "d2"), Errno.PERM);
  assert.equal(link(h, "f", "new/"), Errno.NOENT);
  // Without SYMLINK_FOLLOW the link itself is linked; with it, its target.
  Deno.symlinkSync("f", h.host("sl"));
  assert.equal(link(h, "sl", "sl_nofollow"), 0);
  assert.ok(Deno.lstatSync(h.host("sl_nofollow")).isSymlink);
  assert.equal(link(h, "sl", "sl_follow", true), 0);
  assert.equal(Deno.lstatSync(h.host("sl_follow")).ino, Deno.statSync(h.host("f")).ino);
});

testBoth("path_readlink returns the target, truncating to a short buffer", () => {
  using h = new Harness();
  Deno.symlinkSync("some/target/é", h.host("l"));
  Deno.writeTextFileSync(h.host("f"), "");
  const [p, n] = h.str("l");
  const buf = h.alloc(64), out = h.alloc(4);
  assert.equal(h.fn.path_readlink(SANDBOX_FD, p, n, buf, 64, out), 0);
  assert.equal(h.text(buf, h.u32(out)), "some/target/é");
  assert.equal(h.fn.path_readlink(SANDBOX_FD, p, n, buf, 4, out), 0);
  assert.equal(h.u32(out), 4);
  assert.equal(h.text(buf, 4), "some");
  const [q, m] = h.str("f");
  assert.equal(h.fn.path_readlink(SANDBOX_FD, q, m, buf, 64, out), Errno.INVAL);
  const [r, k] = h.str("none");
  assert.equal(h.fn.path_readlink(SANDBOX_FD, r, k, buf, 64, out), Errno.NOENT);
});

testBoth("path_remove_directory", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("empty"));
  Deno.mkdirSync(h.host("full"));
  Deno.writeTextFileSync(h.host("full/x"), "");
  Deno.symlinkSync("empty", h.host("link"));
  assert.equal(h.pathCall("path_remove_directory", "full"), Errno.NOTEMPTY);
  assert.equal(h.pathCall("path_remove_directory", "full/x"), Errno.NOTDIR);
  assert.equal(h.pathCall("path_remove_directory", "link"), Errno.NOTDIR); // not followed
  assert.equal(h.pathCall("path_remove_directory", "empty/."), Errno.INVAL);
  assert.equal(h.pathCall("path_remove_directory", "full/.."), Errno.NOTEMPTY);
  assert.equal(h.pathCall("path_remove_directory", "."), Errno.INVAL);
  assert.equal(h.pathCall("path_remove_directory", "gone"), Errno.NOENT);
  assert.equal(h.pathCall("path_remove_directory", "empty/"), 0);
  assert.throws(() => Deno.statSync(h.host("empty")));
});

function rename(h: Harness, from: string, to: string, toFd = SANDBOX_FD): number {
  const [p, n] = h.str(from);
  const [q, m] = h.str(to);
  return h.fn.path_rename(SANDBOX_FD, p, n, toFd, q, m);
}

testBoth("path_rename: files, directories, replacing, and the POSIX refusals", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("a"), "A");
  Deno.writeTextFileSync(h.host("b"), "B");
  Deno.mkdirSync(h.host("d"));
  Deno.mkdirSync(h.host("e"));
  assert.equal(rename(h, "a", "b"), 0); // replaces b
  assert.equal(Deno.readTextFileSync(h.host("b")), "A");
  assert.equal(rename(h, "a", "c"), Errno.NOENT);
  assert.equal(rename(h, "d", "b"), Errno.NOTDIR);
  assert.equal(rename(h, "b", "d"), Errno.ISDIR);
  assert.equal(rename(h, "b", "c/"), Errno.NOTDIR);
  assert.equal(rename(h, "d", "d/inside"), Errno.INVAL); // into itself
  assert.equal(rename(h, ".", "x"), Errno.INVAL);
  assert.equal(rename(h, "d", "e"), 0); // an empty directory can be replaced
  assert.ok(Deno.statSync(h.host("e")).isDirectory);
  assert.throws(() => Deno.statSync(h.host("d")));
});

testBoth("path_rename: an open directory fd follows its directory to the new name", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("old/sub"), { recursive: true });
  const fd = h.mustOpen("old/sub", { oflags: DIRECTORY, inheriting: RW });
  assert.equal(rename(h, "old", "new"), 0);
  assert.equal(h.open("created", { dirFd: fd, oflags: CREAT, rights: RW })[0], 0);
  assert.ok(Deno.statSync(h.host("new/sub/created")).isFile);
});

function symlink(h: Harness, target: string, at: string): number {
  const [p, n] = h.str(target);
  const [q, m] = h.str(at);
  return h.fn.path_symlink(p, n, SANDBOX_FD, q, m);
}

testBoth("path_symlink creates links whose targets stay inside the sandbox", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("d"));
  Deno.writeTextFileSync(h.host("f"), "F");
  assert.equal(symlink(h, "../f", "d/up"), 0);
  assert.equal(Deno.readLinkSync(h.host("d/up")), "../f");
  assert.deepEqual(h.read(h.mustOpen("d/up"), 5), [0, "F"]);
  assert.equal(symlink(h, "f", "d/up"), Errno.EXIST);
  assert.equal(symlink(h, "", "e"), Errno.NOENT);
  assert.equal(symlink(h, "a\0b", "e"), Errno.INVAL);
  assert.equal(symlink(h, "f", "nodir/e"), Errno.NOENT);
  assert.equal(symlink(h, "dangling-is-fine", "e"), 0);
});

testBoth("path_unlink_file removes files and links, not directories", () => {
  using h = new Harness();
  Deno.writeTextFileSync(h.host("f"), "");
  Deno.symlinkSync("f", h.host("l"));
  Deno.mkdirSync(h.host("d"));
  assert.equal(h.pathCall("path_unlink_file", "d"), Errno.ISDIR);
  assert.equal(h.pathCall("path_unlink_file", "d/"), Errno.ISDIR);
  assert.equal(h.pathCall("path_unlink_file", "f/"), Errno.NOTDIR);
  assert.equal(h.pathCall("path_unlink_file", "l"), 0);
  assert.ok(Deno.statSync(h.host("f")).isFile, "the link's target survives");
  assert.equal(h.pathCall("path_unlink_file", "f"), 0);
  assert.equal(h.pathCall("path_unlink_file", "f"), Errno.NOENT);
});

testBoth("path functions need their rights on the directory fd", () => {
  using h = new Harness();
  const st = h.alloc(24);
  h.fn.fd_fdstat_get(SANDBOX_FD, st);
  const PATH_CREATE_DIRECTORY = 1n << 9n, PATH_UNLINK_FILE = 1n << 26n, PATH_CREATE_FILE = 1n << 10n;
  const base = h.u64(st + 8) & ~(PATH_CREATE_DIRECTORY | PATH_UNLINK_FILE | PATH_CREATE_FILE);
  assert.equal(h.fn.fd_fdstat_set_rights(SANDBOX_FD, base, h.u64(st + 16)), 0);
  assert.equal(h.pathCall("path_create_directory", "d"), Errno.NOTCAPABLE);
  Deno.writeTextFileSync(h.host("f"), "");
  assert.equal(h.pathCall("path_unlink_file", "f"), Errno.NOTCAPABLE);
  assert.equal(h.open("g", { oflags: CREAT, rights: RW })[0], Errno.NOTCAPABLE);
  assert.equal(h.open("f", { rights: R.READ })[0], 0);
});

testBoth(
  "set_times precision: every nanosecond on the native backend; milliseconds read back on deno",
  (backend) => {
    using h = new Harness();
    Deno.writeTextFileSync(h.host("f"), "");
    const ATIM = 1, MTIM = 4;
    const a = 1796121877620999900n, m = 1796121877620999901n;
    const expect = (t: bigint) => (backend === "native" ? t : t / 1_000_000n * 1_000_000n);
    const [p, n] = h.str("f");
    const buf = h.alloc(64);
    assert.equal(h.fn.path_filestat_set_times(SANDBOX_FD, 0, p, n, a, m, ATIM | MTIM), 0);
    assert.equal(h.fn.path_filestat_get(SANDBOX_FD, 0, p, n, buf), 0);
    assert.deepEqual([h.u64(buf + 40), h.u64(buf + 48)], [expect(a), expect(m)]);
    const fd = h.mustOpen("f", { rights: RW });
    assert.equal(h.fn.fd_filestat_set_times(fd, a + 2n, m + 2n, ATIM | MTIM), 0);
    assert.equal(h.fn.fd_filestat_get(fd, buf), 0);
    assert.deepEqual([h.u64(buf + 40), h.u64(buf + 48)], [expect(a + 2n), expect(m + 2n)]);
    // On the native backend the host sees them too, to the nanosecond.
    if (backend === "native") {
      const st = Deno.statSync(h.host("f"));
      assert.equal(st.mtime!.getTime(), Number(m / 1_000_000n));
    }
  },
);
