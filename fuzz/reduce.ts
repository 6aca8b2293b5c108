/**
 * Shrinks a module that shows a mismatch with binaryen's wasm-reduce, keeping the mismatch's
 * coarse signature (check.ts's output and exit status) unchanged. Bounded in time: a reduction
 * that does not finish keeps the best module found so far.
 */
import { FEATURE_FLAGS } from "./generate.ts";
import { reduce3 } from "./reduce3.ts";

const CHECK = new URL("./check.ts", import.meta.url).pathname;

/**
 * A Wasm 3.0 module (`wasm3`) goes to reduce3.ts instead: Debian's wasm-reduce 108 cannot read most
 * of them, and npm binaryen's wasm-reduce cannot run commands.
 */
export async function reduce(
  bytes: Uint8Array,
  workDir: string,
  timeLimitMs: number,
  options: { wasm3?: boolean; signature?: string } = {},
): Promise<Uint8Array> {
  if (options.wasm3 && options.signature !== undefined) return reduce3(bytes, options.signature, timeLimitMs);
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
