/**
 * poll_oneoff: waits for the first of a set of events. Clock subscriptions really sleep (the guest
 * is synchronous, so the thread blocks until the earliest deadline). File descriptors are reported
 * ready at once: regular files always are (with the bytes left to read), and for the process's
 * stdin Deno offers no way to ask without reading, so the following read blocks instead. A sleep
 * never outlasts the host's deadline (a --timeout): cut short, the call fails with EINTR, and the
 * engine's timeout traps as soon as it returns.
 */
import type { Abi, Subscription } from "./abi.ts";
import { clockNow, monotonicNow, sleepNs } from "./clocks.ts";
import { Errno, EventType, Rights, SUBCLOCK_ABSTIME } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { errnoOf, fail } from "./errors.ts";
import type { HostFunctions } from "./functions.ts";

const EVENT_SIZE = 32;

interface Event {
  userdata: bigint;
  error: number;
  type: number;
  nbytes: bigint;
}

export function pollFunctions(ctx: HostContext, abi: Abi): HostFunctions {
  /** The event for an fd subscription, which is always ready (or an error). */
  function fdEvent(sub: Subscription & { fd: number }): Event {
    const event = { userdata: sub.userdata, error: 0, type: sub.type, nbytes: 0n };
    try {
      const entry = ctx.fds.get(sub.fd);
      ctx.need(entry, Rights.POLL_FD_READWRITE);
      if (entry.kind === "file" && sub.type === EventType.FD_READ) {
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

  return {
    poll_oneoff(inPtr: number, outPtr: number, nsubscriptions: number, neventsPtr: number) {
      const n = nsubscriptions >>> 0;
      if (n === 0) fail(Errno.INVAL);
      const mem = ctx.mem;
      mem.check(inPtr, n * abi.subscriptionSize);
      mem.check(outPtr, n * EVENT_SIZE);
      mem.check(neventsPtr, 4);

      const events: Event[] = [];
      const timers: { userdata: bigint; deadline: bigint }[] = [];
      const start = monotonicNow();
      for (let i = 0; i < n; i++) {
        const sub = abi.readSubscription(mem, (inPtr >>> 0) + i * abi.subscriptionSize);
        if ("invalid" in sub) {
          events.push({ userdata: sub.userdata, error: Errno.INVAL, type: sub.type, nbytes: 0n });
        } else if (sub.type === EventType.CLOCK) {
          const now = clockNow(sub.clockId);
          if (now === undefined) {
            events.push({ userdata: sub.userdata, error: Errno.INVAL, type: sub.type, nbytes: 0n });
            continue;
          }
          const wait = sub.flags & SUBCLOCK_ABSTIME ? sub.timeout - now : sub.timeout;
          timers.push({ userdata: sub.userdata, deadline: start + (wait > 0n ? wait : 0n) });
        } else {
          events.push(fdEvent(sub));
        }
      }

      if (events.length === 0 && timers.length > 0) {
        const earliest = timers.reduce((a, b) => (b.deadline < a.deadline ? b : a)).deadline;
        const wait = earliest - monotonicNow();
        const limit = ctx.deadline() - performance.now();
        if (limit < Infinity && Number(wait) / 1e6 > limit) {
          sleepNs(BigInt(Math.max(0, Math.ceil(limit * 1e6))));
          fail(Errno.INTR);
        }
        sleepNs(wait);
      }
      const now = monotonicNow();
      for (const t of timers) {
        if (t.deadline <= now) {
          events.push({ userdata: t.userdata, error: 0, type: EventType.CLOCK, nbytes: 0n });
        }
      }

      events.forEach((e, i) => {
        const at = (outPtr >>> 0) + i * EVENT_SIZE;
        mem.bytes(at, EVENT_SIZE).fill(0);
        mem.setU64(at, e.userdata);
        mem.setU16(at + 8, e.error);
        mem.setU8(at + 10, e.type);
        mem.setU64(at + 16, e.nbytes);
      });
      mem.setU32(neventsPtr, events.length);
    },
  };
}
