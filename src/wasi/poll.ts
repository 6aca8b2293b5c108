/**
 * poll_oneoff: waits for the first of a set of events, and reports every one that is ready then.
 *
 * - Clock subscriptions, relative or absolute (SUBSCRIPTION_CLOCK_ABSTIME), on every clock: an
 *   absolute time is turned into a wait from the clock's current time; the wait itself runs on the
 *   monotonic clock (a relative CPU-time timeout is waited as that much wall time: the guest, which
 *   is blocked, would otherwise never use it up).
 * - The process's own stdin/stdout/stderr are asked with poll(2) when Deno's FFI is permitted: a
 *   read subscription is ready only when there is data or the writer has gone (then with the
 *   hangup flag), with nbytes = the bytes readable now (FIONREAD); a write one when the pipe has
 *   room. Without FFI they are reported ready at once and the read that follows blocks instead.
 * - Regular files and directories are always ready, as poll(2) says; a file's read event carries
 *   the bytes left after the position. In-memory stdin is ready, with the bytes left and the
 *   hangup flag (no more will come).
 * - An error in one fd subscription (EBADF, ENOTCAPABLE) is that subscription's event, which
 *   wasi-libc's poll() turns into POLLNVAL/POLLERR as Linux would report them; an unknown event
 *   type or clock fails the whole call with EINVAL (as in wasmtime).
 *
 * A wait never outlasts the host's deadline (a --timeout): cut short, the call fails with EINTR,
 * and the engine's timeout traps as soon as it returns.
 */
import type { Abi, Subscription } from "./abi.ts";
import { clockNow, monotonicNow, sleepNs } from "./clocks.ts";
import { Errno, EVENTRW_HANGUP, EventType, Rights, SUBCLOCK_ABSTIME } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { errnoOf, fail } from "./errors.ts";
import { bytesReadable, POLLERR, pollFds, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from "./fs/libc.ts";
import type { HostFunctions } from "./functions.ts";

const EVENT_SIZE = 32;

interface Event {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
  flags: number;
}

/** An fd subscription on one of the process's own streams, for poll(2). */
interface HostWait {
  userdata: bigint;
  type: number;
  hostFd: number;
}

type FdSubscription = Subscription & { fd: number };

export function pollFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  /** The event of an fd subscription that is ready now (or failed), or the host fd to poll. */
  function fdEvent(sub: FdSubscription): Event | HostWait {
    const event: Event = { userdata: sub.userdata, error: 0, type: sub.type, nbytes: 0n, flags: 0 };
    try {
      const entry = ctx.fds.get(sub.fd);
      ctx.need(entry, Rights.POLL_FD_READWRITE);
      if (entry.kind === "stream") {
        const stream = entry.stream;
        if (stream.pollsHost) return { userdata: sub.userdata, type: sub.type, hostFd: stream.hostFd! };
        if (sub.type === EventType.FD_READ) {
          const r = stream.readiness();
          event.nbytes = r.nbytes;
          if (r.hangup) event.flags = EVENTRW_HANGUP;
        }
      } else if (entry.kind === "file" && sub.type === EventType.FD_READ) {
        const pos = BigInt(entry.handle.seek(0, 1));
        const size = entry.handle.stat().size;
        event.nbytes = size > pos ? size - pos : 0n;
      }
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === undefined) throw err;
      event.error = errno;
    }
    return event;
  }

  /** The event for a host fd poll(2) found ready (revents ≠ 0). */
  function hostEvent(w: HostWait, revents: number): Event {
    const event: Event = { userdata: w.userdata, error: 0, type: w.type, nbytes: 0n, flags: 0 };
    if (revents & POLLNVAL) event.error = Errno.BADF;
    else if ((revents & POLLERR) && !(revents & (POLLIN | POLLOUT))) {
      event.error = w.type === EventType.FD_WRITE ? Errno.PIPE : Errno.IO; // a pipe whose reader is gone
    }
    if (revents & POLLHUP) event.flags = EVENTRW_HANGUP;
    if (w.type === EventType.FD_READ && event.error === 0) event.nbytes = BigInt(bytesReadable(w.hostFd));
    return event;
  }

  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubscriptions: number, neventsPtr: number) {
      const n = nsubscriptions >>> 0;
      if (n === 0) fail(Errno.INVAL);
      const mem = ctx.mem;
      mem.check(inPtr, n * abi.subscriptionSize);
      mem.check(outPtr, n * EVENT_SIZE);
      mem.check(neventsPtr, 4);

      const ready: Event[] = [];
      const timers: { userdata: bigint; deadline: bigint }[] = [];
      const host: HostWait[] = [];
      const start = monotonicNow();
      const subs: Exclude<Subscription, { invalid: true }>[] = [];
      for (let i = 0; i < n; i++) {
        const sub = abi.readSubscription(mem, (inPtr >>> 0) + i * abi.subscriptionSize);
        // An unknown event type or clock fails the whole call with EINVAL, as in wasmtime (its
        // bindings reject the subscription before anything waits).
        if ("invalid" in sub) fail(Errno.INVAL);
        if ("clockId" in sub && clockNow(sub.clockId) === undefined) fail(Errno.INVAL);
        subs.push(sub);
      }
      for (const sub of subs) {
        if ("clockId" in sub) {
          const now = clockNow(sub.clockId)!;
          const wait = sub.flags & SUBCLOCK_ABSTIME ? sub.timeout - now : sub.timeout;
          timers.push({ userdata: sub.userdata, deadline: start + (wait > 0n ? wait : 0n) });
        } else {
          const e = fdEvent(sub);
          if ("hostFd" in e) host.push(e);
          else ready.push(e);
        }
      }

      const expired = (now: bigint) =>
        timers.filter((t) => t.deadline <= now).map((t): Event => ({
          userdata: t.userdata,
          error: 0,
          type: EventType.CLOCK,
          nbytes: 0n,
          flags: 0,
        }));
      const pollHost = (ms: number): Event[] => {
        if (host.length === 0) return [];
        const revents = pollFds(host.map((w) => ({ fd: w.hostFd, events: pollEvents(w.type) })), ms);
        return host.flatMap((w, i) => (revents[i] !== 0 ? [hostEvent(w, revents[i])] : []));
      };

      let events: Event[];
      if (ready.length > 0) {
        // Something is ready already: report it with whatever else is ready now, without waiting.
        events = [...ready, ...pollHost(0), ...expired(monotonicNow())];
      } else {
        for (;;) {
          const now = monotonicNow();
          const earliest = timers.reduce<bigint | undefined>(
            (a, t) => (a === undefined || t.deadline < a ? t.deadline : a),
            undefined,
          );
          const waitNs = earliest === undefined ? undefined : earliest > now ? earliest - now : 0n;
          const limitMs = ctx.deadline() - performance.now();
          const cut = limitMs < Infinity && (waitNs === undefined || Number(waitNs) / 1e6 > limitMs);
          if (host.length === 0) {
            // Only clocks: sleep to the nanosecond.
            if (cut) {
              sleepNs(BigInt(Math.max(0, Math.ceil(limitMs * 1e6))));
              fail(Errno.INTR);
            }
            sleepNs(waitNs!);
            events = expired(monotonicNow());
          } else {
            const ms = cut
              ? Math.max(0, Math.ceil(limitMs))
              : waitNs === undefined
              ? -1
              : Math.ceil(Number(waitNs) / 1e6);
            events = [...pollHost(ms), ...expired(monotonicNow())];
            if (events.length === 0 && cut && ctx.deadline() - performance.now() <= 0) fail(Errno.INTR);
          }
          if (events.length > 0) break;
        }
      }

      events.forEach((e, i) => {
        const at = (outPtr >>> 0) + i * EVENT_SIZE;
        mem.bytes(at, EVENT_SIZE).fill(0);
        mem.setU64(at, e.userdata);
        mem.setU16(at + 8, e.error);
        mem.setU8(at + 10, e.type);
        mem.setU64(at + 16, e.nbytes);
        mem.setU16(at + 24, e.flags);
      });
      mem.setU32(neventsPtr, events.length);
    },
  };
}

function pollEvents(type: number): number {
  return type === EventType.FD_READ ? POLLIN : POLLOUT;
}
