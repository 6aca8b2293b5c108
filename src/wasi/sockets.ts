/**
 * sock_accept, sock_recv, sock_send, sock_shutdown. Deno has no synchronous sockets, so the host
 * never hands the guest a socket descriptor; these check the descriptor as a real kernel would and
 * report what it is: EBADF when it is not open, ENOTSOCK otherwise.
 */
import { Errno } from "./constants.ts";
import type { HostContext } from "./context.ts";
import { fail } from "./errors.ts";
import type { HostFunctions } from "./functions.ts";

export function socketFunctions(ctx: HostContext): HostFunctions {
  function notASocket(fd: number): never {
    ctx.fds.get(fd); // EBADF when not open
    fail(Errno.NOTSOCK);
  }
  return {
    sock_accept: (fd: number, _flags: number, _fdPtr: number) => notASocket(fd),
    sock_recv: (
      fd: number,
      _ri: number,
      _riLen: number,
      _flags: number,
      _lenPtr: number,
      _oflagsPtr: number,
    ) => notASocket(fd),
    sock_send: (fd: number, _si: number, _siLen: number, _flags: number, _lenPtr: number) => notASocket(fd),
    sock_shutdown: (fd: number, _how: number) => notASocket(fd),
  };
}
