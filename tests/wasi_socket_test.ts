/**
 * Sockets (src/wasi/sockets.ts): tests/fixtures/wasi/http_server.c, a C server built on wasi-libc's
 * accept/recv/send/shutdown and poll(), runs through the CLI with `--tcplisten` on a loopback
 * port, and the test talks to it with `fetch` and raw `Deno.connect`: several clients at once, a
 * client that disconnects mid-request, a slow client sending a byte at a time, an echo session
 * on a connection that stays open; then `/quit` and a clean exit with the server's own figures.
 * And the start-up errors: no net permission (the flag to add), no FFI, a malformed address.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";
import { lineReader } from "./wasi_subprocess.ts";
import { Errno, Harness } from "./wasi_harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
const SERVER = `${ROOT}tests/fixtures/wasi/http_server.wasm`;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const enc = new TextEncoder(), dec = new TextDecoder();

async function readAll(conn: Deno.Conn): Promise<string> {
  let out = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return out;
    out += dec.decode(buf.subarray(0, n));
  }
}

/** Reads from `conn` until `text` has arrived (or the connection ends). */
async function readUntil(conn: Deno.Conn, text: string): Promise<string> {
  let out = "";
  const buf = new Uint8Array(256);
  while (!out.includes(text)) {
    const n = await conn.read(buf);
    if (n === null) break;
    out += dec.decode(buf.subarray(0, n));
  }
  return out;
}

Deno.test("sockets: a C HTTP/echo server under --tcplisten serves concurrent, dropped and slow clients, then ends cleanly", async () => {
  const port = freePort();
  const listenOn = `127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    // No default preopen of the current directory: the listener is then fd 3, the first after stdio.
    args: ["run", "--no-prompt", "--quiet", "-A", CLI, "--no-default-dir", "--tcplisten", listenOn, SERVER],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = lineReader(child.stdout);
  const stderr = new Response(child.stderr).text();
  try {
    assert.equal(await out.next("listening"), "listening on fd 3");
    const url = `http://127.0.0.1:${port}`;

    // Several clients at once.
    const bodies = await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => fetch(`${url}/c${i}`).then(async (r) => [r.status, await r.text()]),
      ),
    );
    assert.deepEqual(bodies, Array.from({ length: 12 }, (_, i) => [200, `hello /c${i}\n`]));

    // An echo session on a connection that stays open, while a slow client and a dropped one come.
    const echo = await Deno.connect({ hostname: "127.0.0.1", port });
    await echo.write(enc.encode("ECHO first\n"));
    assert.equal(await readUntil(echo, "first\n"), "first\n");

    const dropped = await Deno.connect({ hostname: "127.0.0.1", port });
    await dropped.write(enc.encode("GET /never-finished HTTP/1.1\r\nHost: x\r\n"));
    dropped.close(); // mid-request

    const slow = await Deno.connect({ hostname: "127.0.0.1", port });
    const request = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n";
    for (const ch of request) {
      await slow.write(enc.encode(ch));
      await new Promise((r) => setTimeout(r, 5));
    }
    const slowReply = await readAll(slow);
    slow.close();
    assert.match(slowReply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(slowReply.endsWith("\r\n\r\nhello /slow\n"), slowReply);

    await echo.write(enc.encode("ECHO second line\nECHO third\n"));
    assert.equal(await readUntil(echo, "third\n"), "second line\nthird\n");
    echo.close();

    assert.equal(await (await fetch(`${url}/quit`)).text(), "hello /quit\n");
    const { code } = await child.status;
    const took = performance.now() - t0;
    assert.equal(code, 0, await stderr);
    const figures = await out.next("accepted");
    // Requests: 12 + /slow + /quit. Connections: the 13 fetches, the echo, the dropped and the slow one.
    const m = /^accepted (\d+), requests 14, echoes 3, dropped 1, bytes in (\d+), out (\d+)$/.exec(figures);
    assert.ok(m, figures);
    assert.equal(Number(m[1]), 16);
    console.log(
      `socket test: ${m[1]} connections, 14 requests, 3 echoes, 1 dropped; ${m[2]} bytes in, ` +
        `${m[3]} bytes out; ${Math.round(took)} ms including start-up`,
    );
  } finally {
    try {
      child.kill();
    } catch {
      // already ended
    }
    await child.status;
  }
});

async function startupError(
  permissions: string[],
  listen: string,
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...permissions, CLI, "--tcplisten", listen, SERVER],
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: dec.decode(out.stderr) };
}

Deno.test("sockets: start-up errors name what is missing (net permission, FFI) or wrong (the address)", async () => {
  const port = freePort();
  const noNet = await startupError(["--allow-read", "--allow-ffi"], `127.0.0.1:${port}`);
  assert.notEqual(noNet.code, 0);
  assert.match(
    noNet.stderr,
    new RegExp(`needs Deno's net permission \\(add --allow-net=127\\.0\\.0\\.1:${port}\\)`),
  );
  const noFfi = await startupError(["--allow-read", `--allow-net=127.0.0.1:${port}`], `127.0.0.1:${port}`);
  assert.notEqual(noFfi.code, 0);
  assert.match(noFfi.stderr, /--tcplisten: listening on .* needs the host's sockets .*--allow-ffi/);
  const bad = await startupError(["-A"], "nowhere");
  assert.match(bad.stderr, /--tcplisten: cannot listen on "nowhere": expected HOST:PORT/);
  // An address already taken.
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = await startupError(["-A"], `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`);
    assert.match(busy.stderr, /the address is in use/);
  } finally {
    taken.close();
  }
});

Deno.test("sockets: sock_* on a listener and a connection, with direct calls (the WASI class's listen option)", async () => {
  const port = freePort();
  using h = new Harness({ listen: [`127.0.0.1:${port}`] });
  const lfd = 4; // after the preopen (fd 3)
  const out = h.alloc(64);
  assert.equal(h.fn.fd_fdstat_get(lfd, out), 0);
  assert.equal(h.u8(out), 6); // SOCKET_STREAM
  // Nothing pending: with NONBLOCK, EAGAIN at once.
  assert.equal(h.fn.fd_fdstat_set_flags(lfd, 4), 0);
  assert.equal(h.fn.sock_accept(lfd, 0, out), Errno.AGAIN);
  // On a listener: recv/send/shutdown are ENOTCONN; an unknown flag EINVAL.
  assert.equal(h.fn.sock_recv(lfd, out, 0, 0, out, out + 8), Errno.NOTCONN);
  assert.equal(h.fn.sock_send(lfd, out, 0, 0, out), Errno.NOTCONN);
  assert.equal(h.fn.sock_shutdown(lfd, 3), Errno.NOTCONN);
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.fn.sock_accept(lfd, 4, out), 0);
  const cfd = h.u32(out);
  assert.equal(h.fn.sock_accept(cfd, 0, out), Errno.INVAL); // a connection is not a listener
  await client.write(enc.encode("peek-a-boo"));
  await new Promise((r) => setTimeout(r, 50));
  // PEEK leaves the bytes; a plain recv takes them; then nothing: EAGAIN (NONBLOCK from accept).
  const buf = h.alloc(32), iov = h.alloc(8);
  h.view.setUint32(iov, buf, true);
  h.view.setUint32(iov + 4, 4, true);
  assert.equal(h.fn.sock_recv(cfd, iov, 1, 1, out, out + 8), 0);
  assert.equal(h.text(buf, h.u32(out)), "peek");
  h.view.setUint32(iov + 4, 32, true);
  assert.equal(h.fn.sock_recv(cfd, iov, 1, 0, out, out + 8), 0);
  assert.equal(h.text(buf, h.u32(out)), "peek-a-boo");
  assert.equal(h.fn.sock_recv(cfd, iov, 1, 0, out, out + 8), Errno.AGAIN);
  // send, then shutdown(WR): the client reads it to its end.
  const [p, n] = h.str("pong");
  h.view.setUint32(iov, p, true);
  h.view.setUint32(iov + 4, n, true);
  assert.equal(h.fn.sock_send(cfd, iov, 1, 0, out), 0);
  assert.equal(h.u32(out), 4);
  assert.equal(h.fn.sock_shutdown(cfd, 0), Errno.INVAL);
  assert.equal(h.fn.sock_shutdown(cfd, 2), 0);
  assert.equal(await readAll(client), "pong");
  client.close();
  // fd_read on the connection after the peer closed: 0 bytes (the end).
  assert.equal(h.fn.fd_fdstat_set_flags(cfd, 0), 0);
  assert.deepEqual(h.read(cfd, 8), [0, ""]);
  assert.equal(h.fn.fd_close(cfd), 0);
  assert.equal(h.fn.sock_recv(cfd, iov, 1, 0, out, out + 8), Errno.BADF);
});

Deno.test("sockets: --trace shows what sock_accept, sock_recv and sock_send returned", async () => {
  const port = freePort();
  const lines: string[] = [];
  using h = new Harness({ listen: [`127.0.0.1:${port}`], trace: (line) => lines.push(line) });
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const out = h.alloc(16), buf = h.alloc(16), iov = h.alloc(8);
  assert.equal(h.fn.sock_accept(4, 0, out), 0);
  const cfd = h.u32(out);
  await client.write(enc.encode("hi"));
  h.view.setUint32(iov, buf, true);
  h.view.setUint32(iov + 4, 16, true);
  assert.equal(h.fn.sock_recv(cfd, iov, 1, 0, out, out + 8), 0);
  h.view.setUint32(iov + 4, h.u32(out), true); // send back what came
  assert.equal(h.fn.sock_send(cfd, iov, 1, 0, out), 0);
  client.close();
  const results = lines.filter((l) => l.startsWith("<=="));
  assert.deepEqual(results, [
    `<== errno=SUCCESS result_fd=${cfd}`,
    "<== errno=SUCCESS ro_datalen=2 ro_flags=0",
    "<== errno=SUCCESS so_datalen=2",
  ]);
});

Deno.test("sockets: a blocking accept ends at the host's deadline (--timeout) with EINTR", () => {
  const port = freePort();
  const end = performance.now() + 150;
  using h = new Harness({ listen: [`127.0.0.1:${port}`], deadline: () => end });
  const out = h.alloc(16);
  const t0 = performance.now();
  assert.equal(h.fn.sock_accept(4, 0, out), Errno.INTR);
  const waited = performance.now() - t0;
  assert.ok(waited >= 100 && waited < 5000, `waited ${waited} ms`);
});
