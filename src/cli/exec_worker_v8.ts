/**
 * The worker of `--engine v8 --timeout` (timeout_v8.ts): runs one `wasmrun exec` on V8 with the
 * process's own stdio, says when the guest is about to start, and reports the exit status. The main
 * thread keeps the clock and terminates this worker when the time is up.
 */
import type { ExecCommand } from "./args.ts";
import { v8Engine } from "./engine_v8.ts";
import { runExec } from "./exec.ts";
import { processIo, reportFailure } from "./io.ts";
import type { WorkerReport } from "./timeout_v8.ts";

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ExecCommand>) => void) | null;
  postMessage(report: WorkerReport): void;
};

scope.onmessage = async (e) => {
  let status: number;
  try {
    status = await runExec(e.data, processIo, v8Engine(), {
      beforeRun: () => scope.postMessage({ started: true }),
    });
  } catch (err) {
    status = reportFailure(processIo, err);
  }
  scope.postMessage({ status });
};
