/**
 * `--engine v8 --timeout`: V8 cannot interrupt a guest from the thread it runs on, so the run moves
 * to a worker (exec_worker_v8.ts) and the main thread terminates it when the time is up, reporting
 * the trap wasmrun's engine reports ("timeout: …", exit status 134). The clock starts once the
 * module is compiled, when the worker says the guest is about to start, as with wasmrun's engine,
 * where the timeout bounds calls into the guest. The worker writes to the process's own stdio.
 */
import { pathOfFileUrl } from "../host/paths.ts";
import type { ExecCommand } from "./args.ts";
import { CliFailure, UsageError } from "./failure.ts";
import { type CliIo, complain, writeAll } from "./io.ts";
import { TRAP_STATUS } from "./exec.ts";
import { internalErrorLine } from "./load.ts";

const WORKER = new URL("./exec_worker_v8.ts", import.meta.url);

/** What the worker posts: the guest is about to start, or the run's exit status. */
export type WorkerReport = { started: true } | { status: number };

/** The directory of wasmrun's sources the worker's modules come from. */
const SOURCES = new URL("../", import.meta.url);

/** Deno loads a worker's modules like any file it reads: it needs the permission for them. */
function checkWorkerLoadable(): void {
  if (WORKER.protocol === "file:") {
    const path = pathOfFileUrl(SOURCES).replace(/[\\/]$/, "");
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
      throw new CliFailure(
        `--timeout with --engine v8 runs the program in a worker, which Deno may not load: add --allow-read=${path}`,
      );
    }
  } else if (Deno.permissions.querySync({ name: "import", host: WORKER.host }).state !== "granted") {
    throw new CliFailure(
      `--timeout with --engine v8 runs the program in a worker, which Deno may not load: add --allow-import=${WORKER.host}`,
    );
  }
}

export function runExecWithTimeout(cmd: ExecCommand, io: CliIo): Promise<number> {
  const timeoutMs = cmd.timeoutMs!;
  if (io.stdin !== 0 || io.stdout !== 1 || io.stderr !== 2 || io.engine !== undefined) {
    // The worker has no way to reach a caller's in-memory streams.
    throw new UsageError("--timeout with --engine v8 needs the process's own stdin, stdout and stderr");
  }
  checkWorkerLoadable();
  const worker = new Worker(WORKER.href, { type: "module" });
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (status: number) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(status);
    };
    worker.onmessage = (e: MessageEvent<WorkerReport>) => {
      const report = e.data;
      if ("status" in report) finish(report.status);
      else {
        timer = setTimeout(() => {
          // A guest still running after termination (a blocking host call) ends with the process.
          writeAll(io.stderr, `Error: timeout: execution took longer than ${timeoutMs} ms\n`);
          finish(TRAP_STATUS);
        }, timeoutMs);
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      complain(io, internalErrorLine("running the program in a worker", e.error ?? e.message));
      finish(1);
    };
    worker.postMessage(cmd);
  });
}
