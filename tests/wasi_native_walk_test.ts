/**
 * The native backend's per-component walk (what kernels before Linux 5.6 get, `native-walk` in the
 * other WASI tests) at the step no WASI call sequence reaches on its own: a directory the walk
 * looked at with lstat is swapped for a symlink by another process before the walk enters it. Its
 * `enter` opens with O_PATH | O_DIRECTORY | O_NOFOLLOW and checks what it opened, so the symlink is
 * refused (ENOTDIR) instead of followed. The swap is done here, deterministically, between the
 * walk's lstat and its enter.
 */
import assert from "node:assert/strict";
import { Errno } from "../src/wasi/constants.ts";
import { WasiError } from "../src/wasi/errors.ts";
import { AT, check, cstr, libc, nativeUnavailable, O, openat2, RESOLVE } from "../src/wasi/fs/libc.ts";
import { nativeWalkOps } from "../src/wasi/fs/native.ts";
import { walk, type WalkOps } from "../src/wasi/fs/walk.ts";

/** A temporary tree: root/{d/, d/inner, f, link -> d, swapped/} and outside/secret beside it. */
function tree(): { top: string; root: string; rootFd: number; [Symbol.dispose](): void } {
  const why = nativeUnavailable(); // also loads the C library
  if (why !== undefined) throw new Error(`the native backend is needed here: ${why}`);
  const top = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "native_walk_" }));
  const root = `${top}/root`;
  Deno.mkdirSync(`${root}/d`, { recursive: true });
  Deno.writeTextFileSync(`${root}/d/inner`, "inner");
  Deno.writeTextFileSync(`${root}/f`, "file");
  Deno.symlinkSync("d", `${root}/link`);
  Deno.mkdirSync(`${top}/outside`);
  Deno.writeTextFileSync(`${top}/outside/secret`, "secret");
  const rootFd = check(libc().openat(AT.FDCWD, cstr(root), O.RDONLY | O.DIRECTORY | O.CLOEXEC, 0));
  return {
    top,
    root,
    rootFd,
    [Symbol.dispose]() {
      libc().close(rootFd);
      Deno.removeSync(top, { recursive: true });
    },
  };
}

/** The descriptors this process holds, to see that a refused enter leaves none open. */
function openFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

function errnoOf(body: () => unknown): number | undefined {
  try {
    body();
  } catch (err) {
    if (err instanceof WasiError) return err.errno;
    throw err;
  }
  return undefined;
}

Deno.test("native walk: enter opens a real subdirectory, and refuses a symlink to one or a file", () => {
  using t = tree();
  const fd = nativeWalkOps.enter(t.rootFd, "d");
  try {
    assert.equal(nativeWalkOps.stat(fd).ino, BigInt(Deno.statSync(`${t.root}/d`).ino!));
    assert.equal(nativeWalkOps.lstat(fd, "inner")?.size, 5n);
  } finally {
    nativeWalkOps.release(fd);
  }
  const before = openFds();
  assert.equal(errnoOf(() => nativeWalkOps.enter(t.rootFd, "link")), Errno.NOTDIR);
  assert.equal(errnoOf(() => nativeWalkOps.enter(t.rootFd, "f")), Errno.NOTDIR);
  assert.equal(errnoOf(() => nativeWalkOps.enter(t.rootFd, "missing")), Errno.NOENT);
  assert.equal(openFds(), before, "a refused enter leaves no descriptor open");
});

Deno.test("native walk: a directory swapped for an escaping symlink after its lstat is not entered", () => {
  using t = tree();
  Deno.mkdirSync(`${t.root}/swapped`);
  // Another process, at the worst moment: right after the walk saw `swapped` as a directory, it
  // is replaced by a link to ../outside (which the walk itself would refuse when following it).
  let swaps = 0;
  const racing: WalkOps<number> = {
    ...nativeWalkOps,
    lstat: (dir, name) => {
      const st = nativeWalkOps.lstat(dir, name);
      if (name === "swapped" && swaps++ === 0) {
        Deno.removeSync(`${t.root}/swapped`);
        Deno.symlinkSync("../outside", `${t.root}/swapped`);
      }
      return st;
    },
  };
  const before = openFds();
  assert.equal(errnoOf(() => walk(racing, t.rootFd, "swapped/secret", false)), Errno.NOTDIR);
  assert.equal(swaps, 1);
  assert.equal(openFds(), before, "the walk released what it had entered");
  // Without the race the same walk follows the link, judges its target and refuses it.
  assert.equal(errnoOf(() => walk(nativeWalkOps, t.rootFd, "swapped/secret", false)), Errno.NOTCAPABLE);
  // And a walk through a real directory still ends in it.
  const w = walk(nativeWalkOps, t.rootFd, "link/inner", false);
  try {
    assert.equal(w.name, "inner");
    assert.equal(w.info?.size, 5n);
    assert.equal(w.depth, 1);
  } finally {
    nativeWalkOps.release(w.parent);
  }
});

Deno.test("openat2: each refusal is its own errno (an escape ENOTCAPABLE), so a failed lookup never passes for a kernel without openat2", () => {
  using t = tree();
  const beneath = RESOLVE.BENEATH | RESOLVE.NO_MAGICLINKS, flags = O.PATH | O.DIRECTORY | O.CLOEXEC;
  libc().close(openat2(t.rootFd, "d", flags, beneath));
  assert.equal(errnoOf(() => openat2(t.rootFd, "missing", flags, beneath)), Errno.NOENT);
  assert.equal(errnoOf(() => openat2(t.rootFd, "f", flags, beneath)), Errno.NOTDIR);
  assert.equal(errnoOf(() => openat2(t.rootFd, "../outside", flags, beneath)), Errno.NOTCAPABLE);
  Deno.symlinkSync("../outside", `${t.root}/out`);
  assert.equal(errnoOf(() => openat2(t.rootFd, "out", flags, beneath)), Errno.NOTCAPABLE);
  libc().close(openat2(t.rootFd, "link", flags, beneath)); // a link that stays inside is followed
});
