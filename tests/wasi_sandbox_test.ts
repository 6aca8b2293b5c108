/**
 * The sandbox: no guest path, symlink, rename, link or symlink creation may reach outside the
 * preopened directory, and every attempt leaves the host untouched. Also read-only preopens
 * (EROFS) and the permission gate (EACCES), here with a scripted gate; the real Deno permission
 * flags are exercised through the CLI in cli_permissions_test.ts.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import type { PermissionGate } from "../src/wasi/mod.ts";
import { Errno, Harness, RD, RO_FD, RW, SANDBOX_FD, testBoth } from "./wasi_harness.ts";

const CREAT = 1, DIRECTORY = 2;

/** A directory next to the sandbox with a file the guest must never see or change. */
function outsideDir(): { dir: string; snapshot: () => string } {
  const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasi_outside_" }));
  Deno.writeTextFileSync(`${dir}/secret`, "TOP SECRET");
  Deno.mkdirSync(`${dir}/sub`);
  const snapshot = () => {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort().join(",");
    const st = Deno.statSync(`${dir}/secret`);
    return `${names}|${Deno.readTextFileSync(`${dir}/secret`)}|${st.mtime?.getTime()}|${st.nlink}`;
  };
  return { dir, snapshot };
}

testBoth("sandbox: .., absolute paths and escaping symlinks are all ENOTCAPABLE and change nothing", () => {
  using h = new Harness();
  const out = outsideDir();
  const rel = `../${basename(out.dir)}`;
  try {
    Deno.mkdirSync(h.host("sub"));
    Deno.symlinkSync(`${out.dir}/secret`, h.host("abs_link"));
    Deno.symlinkSync(`${rel}/secret`, h.host("rel_link"));
    Deno.symlinkSync("/", h.host("root_link"));
    Deno.symlinkSync("..", h.host("parent_link"));
    Deno.symlinkSync("b", h.host("chain_a"));
    Deno.symlinkSync("sub/c", h.host("b"));
    Deno.symlinkSync(`../${rel}`, h.host("sub/c")); // sub/../../outside
    Deno.symlinkSync("../../..", h.host("sub/deep"));
    const before = out.snapshot();

    const attempts = [
      "..",
      "../x",
      `${rel}/secret`,
      "sub/../../x",
      "sub/../sub/../../x",
      "./../x",
      "abs_link",
      "rel_link",
      "root_link",
      "root_link/etc/passwd",
      "parent_link",
      `parent_link/${basename(out.dir)}/secret`,
      "chain_a",
      "chain_a/secret",
      "sub/deep/etc",
    ];
    for (const path of attempts) {
      assert.equal(h.open(path)[0], Errno.NOTCAPABLE, `open ${path}`);
      assert.equal(h.open(path, { oflags: CREAT, rights: RW })[0], Errno.NOTCAPABLE, `create ${path}`);
      assert.equal(h.stat(path)[0], Errno.NOTCAPABLE, `stat ${path}`);
    }
    // Absolute guest paths never reach the host (wasi-libc strips the preopen prefix before calling).
    assert.equal(h.open("/etc/passwd")[0], Errno.NOTCAPABLE);
    assert.equal(h.open(`${out.dir}/secret`)[0], Errno.NOTCAPABLE);
    // Not following the final link is fine: it is only looked at.
    assert.equal(h.stat("abs_link", false)[0], 0);
    // Mutations through escaping paths.
    assert.equal(h.pathCall("path_create_directory", "../newdir"), Errno.NOTCAPABLE);
    assert.equal(h.pathCall("path_create_directory", "root_link/tmp/wasi_escape"), Errno.NOTCAPABLE);
    assert.equal(h.pathCall("path_unlink_file", `${rel}/secret`), Errno.NOTCAPABLE);
    assert.equal(h.pathCall("path_unlink_file", "parent_link/x"), Errno.NOTCAPABLE);
    assert.equal(h.pathCall("path_remove_directory", `${rel}/sub`), Errno.NOTCAPABLE);
    assert.equal(out.snapshot(), before);
  } finally {
    Deno.removeSync(out.dir, { recursive: true });
  }
});

testBoth("sandbox: rename, link and symlink creation cannot leave the sandbox", () => {
  using h = new Harness();
  const out = outsideDir();
  const rel = `../${basename(out.dir)}`;
  try {
    Deno.writeTextFileSync(h.host("mine"), "mine");
    Deno.symlinkSync("..", h.host("up"));
    const before = out.snapshot();
    const two = (name: string, a: string, b: string, flags = 0) => {
      const [p, n] = h.str(a);
      const [q, m] = h.str(b);
      return name === "path_rename"
        ? h.fn.path_rename(SANDBOX_FD, p, n, SANDBOX_FD, q, m)
        : h.fn.path_link(SANDBOX_FD, flags, p, n, SANDBOX_FD, q, m);
    };
    assert.equal(two("path_rename", "mine", `${rel}/moved`), Errno.NOTCAPABLE);
    assert.equal(two("path_rename", "mine", "up/moved"), Errno.NOTCAPABLE);
    assert.equal(two("path_rename", `${rel}/secret`, "stolen"), Errno.NOTCAPABLE);
    assert.equal(two("path_link", "mine", `${rel}/linked`), Errno.NOTCAPABLE);
    assert.equal(two("path_link", `${rel}/secret`, "stolen"), Errno.NOTCAPABLE);
    assert.equal(two("path_link", "up", "stolen", 1), Errno.NOTCAPABLE);
    const symlink = (target: string, at: string) => {
      const [p, n] = h.str(target);
      const [q, m] = h.str(at);
      return h.fn.path_symlink(p, n, SANDBOX_FD, q, m);
    };
    assert.equal(symlink("/etc/passwd", "l1"), Errno.NOTCAPABLE);
    assert.equal(symlink(`${rel}/secret`, "l2"), Errno.NOTCAPABLE);
    assert.equal(symlink("..", "l3"), Errno.NOTCAPABLE);
    assert.equal(symlink("x", `${rel}/l4`), Errno.NOTCAPABLE);
    assert.equal(symlink("a/../../x", "l5"), Errno.NOTCAPABLE);
    assert.equal([...Deno.readDirSync(h.root)].map((e) => e.name).sort().join(), "mine,up");
    assert.equal(out.snapshot(), before);
  } finally {
    Deno.removeSync(out.dir, { recursive: true });
  }
});

testBoth("sandbox: .. and symlinks that stay inside work; a subdirectory fd is its own root", () => {
  using h = new Harness();
  Deno.mkdirSync(h.host("a/b"), { recursive: true });
  Deno.writeTextFileSync(h.host("top"), "top");
  Deno.symlinkSync("../../top", h.host("a/b/to_top"));
  Deno.symlinkSync("..", h.host("a/b/up"));
  assert.deepEqual(h.read(h.mustOpen("a/b/../../top"), 9), [0, "top"]);
  assert.deepEqual(h.read(h.mustOpen("a/b/to_top"), 9), [0, "top"]);
  assert.deepEqual(h.read(h.mustOpen("a/b/up/b/up/../top"), 9), [0, "top"]);
  // As in wasmtime (cap-std): a directory fd is the root of what is resolved from it, even when
  // the guest holds its parent too. Links that climb out of it fail when followed from it.
  const b = h.mustOpen("a/b", { oflags: DIRECTORY });
  Deno.writeTextFileSync(h.host("a/b/inner"), "inner");
  assert.deepEqual(h.read(h.mustOpen("inner", { dirFd: b }), 9), [0, "inner"]);
  assert.equal(h.open("up/b/inner", { dirFd: b })[0], Errno.NOTCAPABLE);
  assert.equal(h.open("../../top", { dirFd: b })[0], Errno.NOTCAPABLE);
  assert.equal(h.open("to_top", { dirFd: b })[0], Errno.NOTCAPABLE);
  assert.equal(h.open("../../../top", { dirFd: b })[0], Errno.NOTCAPABLE);
});

testBoth("read-only preopen: reading works, every change is EROFS", () => {
  using h = new Harness({ readOnlyPreopen: true });
  Deno.writeTextFileSync(`${h.roRoot}/f`, "ro");
  Deno.mkdirSync(`${h.roRoot}/d`);
  const open = (path: string, oflags: number, rights: bigint) =>
    h.open(path, { dirFd: RO_FD, oflags, rights })[0];
  assert.equal(open("f", 0, RD), 0);
  assert.equal(open("f", 0, RW), Errno.ROFS);
  assert.equal(open("f", 8, RD), Errno.ROFS); // TRUNC
  assert.equal(open("g", CREAT, RW), Errno.ROFS);
  assert.equal(h.pathCall("path_create_directory", "e", RO_FD), Errno.ROFS);
  assert.equal(h.pathCall("path_unlink_file", "f", RO_FD), Errno.ROFS);
  assert.equal(h.pathCall("path_remove_directory", "d", RO_FD), Errno.ROFS);
  const [p, n] = h.str("f");
  const [q, m] = h.str("g");
  assert.equal(h.fn.path_rename(RO_FD, p, n, RO_FD, q, m), Errno.ROFS);
  assert.equal(h.fn.path_rename(RO_FD, p, n, SANDBOX_FD, q, m), Errno.ROFS); // moving out removes it here
  assert.equal(h.fn.path_symlink(p, n, RO_FD, q, m), Errno.ROFS);
  assert.equal(h.fn.path_link(RO_FD, 0, p, n, RO_FD, q, m), Errno.ROFS);
  // A hard link into a writable preopen would make the file writable: refused like a cross-mount link.
  assert.equal(h.fn.path_link(RO_FD, 0, p, n, SANDBOX_FD, q, m), Errno.XDEV);
  assert.equal(h.fn.path_filestat_set_times(RO_FD, 1, p, n, 0n, 0n, 8), Errno.ROFS);
  assert.equal(h.fn.fd_filestat_set_times(RO_FD, 0n, 0n, 8), Errno.ROFS);
  const fd = h.mustOpen("f", { dirFd: RO_FD });
  assert.equal(h.fn.fd_filestat_set_times(fd, 0n, 0n, 8), Errno.ROFS);
  assert.deepEqual(h.read(fd, 9), [0, "ro"]);
  assert.equal(Deno.readTextFileSync(`${h.roRoot}/f`), "ro");
  assert.deepEqual([...Deno.readDirSync(h.roRoot)].map((e) => e.name).sort(), ["d", "f"]);
});

testBoth("permission gate: a refused read or write is EACCES for that call only", () => {
  const denied = new Set<string>();
  const gate: PermissionGate = {
    read: (path) => ![...denied].some((d) => path === d || path.startsWith(d + "/")),
    write: (path) => !path.includes("nowrite"),
    symlink: () => false,
  };
  using h = new Harness({ permissions: gate });
  Deno.mkdirSync(h.host("private"));
  Deno.writeTextFileSync(h.host("private/x"), "x");
  Deno.mkdirSync(h.host("nowrite"));
  Deno.writeTextFileSync(h.host("nowrite/f"), "f");
  Deno.writeTextFileSync(h.host("ok"), "ok");
  denied.add(h.host("private"));
  assert.equal(h.open("private/x")[0], Errno.ACCES);
  assert.equal(h.stat("private")[0], Errno.ACCES);
  assert.equal(h.open("ok")[0], 0); // the program carries on
  assert.equal(h.open("nowrite/f", { rights: RD })[0], 0);
  assert.equal(h.open("nowrite/f", { rights: RW })[0], Errno.ACCES);
  assert.equal(h.open("nowrite/g", { oflags: CREAT, rights: RW })[0], Errno.ACCES);
  assert.equal(h.pathCall("path_unlink_file", "nowrite/f"), Errno.ACCES);
  assert.equal(h.pathCall("path_create_directory", "nowrite/d"), Errno.ACCES);
  const [p, n] = h.str("ok");
  const [q, m] = h.str("sl");
  assert.equal(h.fn.path_symlink(p, n, SANDBOX_FD, q, m), Errno.ACCES); // Deno needs unscoped read+write
  assert.equal(Deno.readTextFileSync(h.host("nowrite/f")), "f");
  const buf = h.alloc(64), used = h.alloc(4);
  denied.add(h.root);
  assert.equal(h.fn.fd_readdir(SANDBOX_FD, buf, 64, 0n, used), Errno.ACCES);
});

/** path_rename / path_symlink / path_remove_directory with two paths below two directory fds. */
function rename(h: Harness, fromFd: number, a: string, toFd: number, b: string): number {
  const [p, n] = h.str(a);
  const [q, m] = h.str(b);
  return h.fn.path_rename(fromFd, p, n, toFd, q, m);
}
function symlink(h: Harness, target: string, at: string, fd = SANDBOX_FD): number {
  const [p, n] = h.str(target);
  const [q, m] = h.str(at);
  return h.fn.path_symlink(p, n, fd, q, m);
}

testBoth("sandbox: a directory fd whose directory was replaced by an escaping link leads nowhere", () => {
  using h = new Harness();
  const out = outsideDir();
  const name = basename(out.dir);
  try {
    Deno.mkdirSync(h.host("a"));
    Deno.mkdirSync(h.host("dd"));
    const before = out.snapshot();
    const a = h.mustOpen("a", { oflags: DIRECTORY, rights: RD, inheriting: RW });
    // Replace a by a link whose target, one level up, leads out of the sandbox.
    assert.equal(h.pathCall("path_remove_directory", "a"), 0);
    assert.equal(symlink(h, "..", "dd/l"), 0); // dd/.. is the sandbox: allowed
    assert.equal(rename(h, SANDBOX_FD, "dd/l", SANDBOX_FD, "a"), 0); // now a -> .. is outside
    // Followed from the sandbox, the link is judged where it is followed: out, refused.
    assert.equal(h.open(`a/${name}/secret`)[0], Errno.NOTCAPABLE);
    // Through the stale fd: its directory is gone, so nothing is found (as on a real descriptor).
    for (const path of [`${name}/secret`, name]) {
      const errno = h.open(path, { dirFd: a })[0];
      assert.ok(errno === Errno.NOENT || errno === Errno.NOTCAPABLE, `open ${path} via stale fd: ${errno}`);
    }
    assert.equal(h.open(`${name}/created`, { dirFd: a, oflags: CREAT, rights: RW })[0], Errno.NOENT);
    assert.equal(h.pathCall("path_create_directory", `${name}/made`, a), Errno.NOENT);
    assert.equal(h.pathCall("path_unlink_file", `${name}/secret`, a), Errno.NOENT);
    const buf = h.alloc(256), used = h.alloc(4);
    const listed = h.fn.fd_readdir(a, buf, 256, 0n, used);
    // A removed directory lists as empty (native: only . and ..) or not at all (deno: ENOENT).
    if (listed === 0) assert.ok(!h.text(buf, h.u32(used)).includes(name));
    else assert.equal(listed, Errno.NOENT);
    assert.equal(out.snapshot(), before);
  } finally {
    Deno.removeSync(out.dir, { recursive: true });
  }
});

testBoth("sandbox: a nested preopen whose path was replaced by a link stays the directory it was", () => {
  using h = new Harness({ nested: "nest" });
  const INNER = 4;
  const out = outsideDir();
  const name = basename(out.dir);
  try {
    Deno.writeTextFileSync(h.host("nest/mine"), "inner file");
    Deno.mkdirSync(h.host("dd"));
    Deno.symlinkSync("..", h.host("dd/l")); // made by the host: no path_symlink needed
    const before = out.snapshot();
    assert.equal(rename(h, SANDBOX_FD, "nest", SANDBOX_FD, "nest_away"), 0);
    assert.equal(rename(h, SANDBOX_FD, "dd/l", SANDBOX_FD, "nest"), 0); // /sandbox/nest -> .. (outside)
    const [errno, fd] = h.open(`${name}/secret`, { dirFd: INNER });
    assert.notEqual(errno, 0, `read the secret through /inner (fd ${fd})`);
    assert.equal(h.open(`${name}/new`, { dirFd: INNER, oflags: CREAT, rights: RW })[0] === 0, false);
    // Native: /inner is still the directory it was (now at nest_away), so its file is still there;
    // deno: the preopen's path no longer leads to it, so /inner fails (ENOENT) instead.
    const mine = h.open("mine", { dirFd: INNER });
    if (mine[0] === 0) assert.deepEqual(h.read(mine[1], 20), [0, "inner file"]);
    else assert.equal(mine[0], Errno.NOENT);
    assert.equal(out.snapshot(), before);
  } finally {
    Deno.removeSync(out.dir, { recursive: true });
  }
});

testBoth("sandbox: a link renamed to where its target leads out is refused when followed", () => {
  using h = new Harness();
  const out = outsideDir();
  const name = basename(out.dir);
  try {
    Deno.mkdirSync(h.host("d/e"), { recursive: true });
    const before = out.snapshot();
    assert.equal(symlink(h, `../../../${name}/secret`, "d/e/l"), Errno.NOTCAPABLE); // out from where it is made
    assert.equal(symlink(h, `..`, "d/e/up"), 0); // d/e/.. = d: inside
    assert.equal(h.open("d/e/up/e/up/..")[0], 0); // still inside: the sandbox itself
    assert.equal(rename(h, SANDBOX_FD, "d/e/up", SANDBOX_FD, "up"), 0); // up -> .. leads out now
    assert.equal(h.open(`up/${name}/secret`)[0], Errno.NOTCAPABLE);
    assert.equal(h.stat(`up/${name}`)[0], Errno.NOTCAPABLE);
    assert.equal(h.open(`up/${name}/new`, { oflags: CREAT, rights: RW })[0], Errno.NOTCAPABLE);
    // Moving the whole directory that holds a link one level up does the same.
    assert.equal(symlink(h, "../..", "d/e/up2"), 0); // d/e/../.. = the sandbox
    assert.equal(rename(h, SANDBOX_FD, "d/e", SANDBOX_FD, "e"), 0); // e/up2 -> ../.. leads out
    assert.equal(h.open(`e/up2/${name}/secret`)[0], Errno.NOTCAPABLE);
    assert.equal(out.snapshot(), before);
  } finally {
    Deno.removeSync(out.dir, { recursive: true });
  }
});
