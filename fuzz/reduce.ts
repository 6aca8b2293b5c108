/**
 * Shrinks a module that shows a mismatch with binaryen's wasm-reduce, keeping the mismatch's
 * coarse signature (check.ts's output and exit status) unchanged. Bounded in time: a reduction
 * that does not finish keeps the best module found so far.
 */
import { FEATURE_FLAGS } from "./generate.ts";

const CHECK = new URL("./check.ts", import.meta.url).pathname;

export async function reduce(bytes: Uint8Array, workDir: string, timeLimitMs: number): Promise<Uint8Array> {
  const orig = `${workDir}/orig.wasm`, test = `${workDir}/test.wasm`, work = `${workDir}/work.wasm`;
  await Deno.writeFile(orig, bytes);
  await Deno.writeFile(work, bytes);
  const command = `${Deno.execPath()} run -A --quiet ${CHECK} ${test}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeLimitMs);
  try {
    await new Deno.Command("wasm-reduce", {
      args: [
        orig,
        `--command=${command}`,
        "-t",
        test,
        "-w",
        work,
        "-ef",
        FEATURE_FLAGS.join(" "),
        "-to",
        "20",
      ],
      stdout: "null",
      stderr: "null",
      signal: controller.signal,
    }).output();
  } catch {
    // Aborted on the time limit: work.wasm holds the best reduction so far.
  } finally {
    clearTimeout(timer);
  }
  try {
    return await Deno.readFile(work);
  } catch {
    return bytes;
  }
}
