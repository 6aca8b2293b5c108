/**
 * `deno task bench:exceptions`: a real program that uses wasm exception handling, run with its own JS
 * glue under the built-in `WebAssembly` (V8) and under wasmrun's, outputs compared, timings printed.
 *
 * The program is the npm package clingo-wasm (see exceptions_cases.ts): the clingo answer-set solver
 * (C++, with Lua embedded), built by Emscripten with `-fwasm-exceptions`, so that its C++ exceptions and
 * Lua's setjmp/longjmp are wasm `throw`/`try`/`catch`/`rethrow`/`delegate` (the legacy opcodes) with
 * a tag section. Its glue is the package's own: `dist/run.js` (class `Runner`) over Emscripten's
 * `dist/clingo.js`, which calls `WebAssembly.instantiate` on the global namespace. Each engine runs in
 * a subprocess (exceptions_child.ts) that sets the global `WebAssembly` to that engine's namespace
 * before loading the glue: `v8` (the built-in), `wasmrun` (mod.ts, default options: the interpreter,
 * hot functions tiering up to JS), `wasmrun-interp` (`{ jit: false }`: the interpreter only) and
 * `wasmrun-eager` (`{ tierUp: 0 }`: every function on the JS tier from its first call). Every case of
 * exceptions_cases.ts runs on one instance, in order, several of them making clingo throw a C++
 * exception that it catches (a syntax error, a missing #include, an unknown option…) and one a Lua
 * error caught by pcall (a longjmp); each engine's normalized results (clock fields removed) must be
 * V8's exactly.
 *
 * The package is fetched into the cache of `deno task bench:real` (bench/real/cache.ts:
 * $WASMRUN_BENCH_CACHE, else ~/.cache/wasmrun-bench/, checked against its pinned integrity; never into
 * the repository). `--prove` shows on V8 that the cases really execute wasm `throw`s: it reruns each case
 * on a fresh instance of the module with the `throw`s of one tag replaced by `unreachable`, and checks
 * that exactly the cases marked `throws` change; the wasmrun engines that passed then run the same
 * patched module and must give V8's (trapping) results too. Exit status 1 when an engine fails or
 * differs from V8 (or `--prove` finds otherwise), 0 when all agree. tests/real_exceptions_test.ts runs
 * the comparison.
 *
 *   deno run -A bench/real/exceptions.ts [--engines E[,E]] [--runs N] [--timeout S] [--prove] [--fetch] [--json]
 */
import { parseArgs } from "node:util";
import { cacheDir, unpackedPackage } from "./cache.ts";
import { CASES, type ChildResult, CLINGO } from "./exceptions_cases.ts";

export const ENGINES = ["v8", "wasmrun", "wasmrun-interp", "wasmrun-eager"] as const;
export type Engine = typeof ENGINES[number];

const REPO = new URL("../../", import.meta.url).pathname;
const CHILD = new URL("./exceptions_child.ts", import.meta.url).pathname;

/** The directory the pinned package is unpacked in, when the cache has it (no download). */
export function cachedPackage(): string | undefined {
  const dir = `${cacheDir()}/${CLINGO.package}@${CLINGO.version}`;
  try {
    Deno.statSync(`${dir}/.done`);
    return dir;
  } catch {
    return undefined;
  }
}

/** The unpacked package, downloaded (once) if the cache does not have it. */
export function fetchPackage(log: (line: string) => void = (l) => console.error(l)): Promise<string> {
  return unpackedPackage(CLINGO, log);
}

/**
 * The smallest module using legacy exception handling: a tag, and a function whose `try` block throws
 * it and catches it. An engine that does not validate it has no exception handling.
 */
export const LEGACY_EH_PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type 0: [] -> []
  ...[0x03, 0x02, 0x01, 0x00], // function 0: type 0
  ...[0x0d, 0x03, 0x01, 0x00, 0x00], // tag 0: type 0
  ...[0x0a, 0x0b, 0x01, 0x09, 0x00, 0x06, 0x40, 0x08, 0x00, 0x07, 0x00, 0x0b, 0x0b], // try throw 0 catch 0 end
]);

export interface EngineRun {
  engine: Engine;
  /** Wall seconds of the whole subprocess (Deno's start-up included). */
  seconds: number;
  result?: ChildResult;
  /** Why it failed: the child's own error, its exit status or its time-out. */
  error?: string;
}

/** Runs the cases on one engine, in a subprocess. */
export async function runEngine(
  engine: Engine,
  packageDir: string,
  options: { timeoutSeconds?: number; patchThrows?: number } = {},
): Promise<EngineRun> {
  const timeout = ["timeout", "-k", "5", String(options.timeoutSeconds ?? 300)];
  const patch = options.patchThrows === undefined ? [] : ["--patch-throws", String(options.patchThrows)];
  const args = [...timeout.slice(1), Deno.execPath(), "run", "-A", CHILD, engine, packageDir, ...patch];
  const started = performance.now();
  const out = await new Deno.Command(timeout[0], { args, cwd: REPO, stdout: "piped", stderr: "piped" })
    .output();
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(out.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (out.code === 124 || out.code === 137) {
    return { engine, seconds, error: `timed out after ${options.timeoutSeconds ?? 300} s` };
  }
  if (out.code !== 0 || line === undefined) {
    const tail = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-6).join("\n    ");
    return { engine, seconds, error: `exit status ${out.code}${tail ? `:\n    ${tail}` : ""}` };
  }
  const result = JSON.parse(line.slice("RESULT ".length)) as ChildResult;
  return { engine, seconds, result, error: result.error };
}

/** What differs between an engine's results and V8's ("" when nothing does). */
export function differences(reference: ChildResult, run: ChildResult): string {
  const lines: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const want = reference.cases[i]?.output, got = run.cases[i]?.output;
    if (got === undefined) lines.push(`${c.name}: not run`);
    else if (got !== want) {
      lines.push(`${c.name}: got ${clip(got)}\n      V8 gave ${clip(want ?? "nothing")}`);
    }
  }
  return lines.join("\n    ");
}

const clip = (text: string) => text.length > 300 ? `${text.slice(0, 300)}…` : text;

/** Whether wasmrun (this checkout's mod.ts) validates the legacy-EH probe, with its message if not. */
export async function wasmrunHasExceptions(): Promise<{ yes: boolean; why?: string }> {
  const wasmrun = await import("../../mod.ts");
  try {
    new wasmrun.Module(LEGACY_EH_PROBE);
    return { yes: true };
  } catch (e) {
    return { yes: false, why: (e as Error).message };
  }
}

/**
 * `--prove`: which cases change when the throws of each tag become traps, on V8 (each tag's must be
 * exactly the cases marked to throw it), and then on each of `others` (which must give V8's results).
 */
async function prove(
  packageDir: string,
  reference: ChildResult,
  others: Engine[],
  timeoutSeconds: number,
): Promise<boolean> {
  let ok = true;
  for (const tag of [1, 0]) {
    const kind = tag === 1 ? "C++ exceptions (__cpp_exception)" : "longjmp (__c_longjmp)";
    const run = await runEngine("v8", packageDir, { timeoutSeconds, patchThrows: tag });
    if (!run.result || run.error !== undefined) {
      console.log(`  tag ${tag}, ${kind}: the patched run on v8 failed: ${run.error}`);
      ok = false;
      continue;
    }
    const changed = CASES.filter((_, i) => run.result!.cases[i].output !== reference.cases[i].output);
    const expected = CASES.filter((c) => c.throws.includes(tag));
    const names = (cases: typeof CASES) => cases.map((c) => c.name).join(", ") || "nothing";
    const same = names(changed) === names(expected);
    ok &&= same;
    console.log(
      `  tag ${tag}, ${kind}: on v8 its throws made traps change ${names(changed)}` +
        (same ? " (as expected)" : `; expected ${names(expected)}`),
    );
    for (const engine of others) {
      const other = await runEngine(engine, packageDir, { timeoutSeconds, patchThrows: tag });
      const diff = other.result && other.error === undefined
        ? differences(run.result, other.result)
        : undefined;
      ok &&= diff === "";
      console.log(
        `    ${engine}, patched alike: ${
          diff === undefined
            ? `failed: ${other.error}`
            : diff
            ? `differs from v8:\n    ${diff}`
            : "the same results as v8"
        }`,
      );
    }
  }
  return ok;
}

/** Rows as columns: the first left-aligned, the others right-aligned (the last one left-aligned if `textLast`). */
function table(rows: string[][], textLast = false): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const last = textLast ? rows[0].length - 1 : -1;
  const cell = (text: string, i: number) =>
    i === last ? text : i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]);
  return rows.map((r) => r.map(cell).join("  ").trimEnd()).join("\n");
}

async function main(): Promise<number> {
  const usage = `usage: deno run -A bench/real/exceptions.ts [options]
  --engines E[,E]  engines besides v8, the reference (${ENGINES.join(", ")}; default all)
  --runs N         runs of each engine, the fastest is reported (default 1)
  --timeout S      seconds before an engine's run is stopped (default 300)
  --prove          also show that the cases execute wasm throws, on V8 and then alike on wasmrun (see the header)
  --fetch          only download the package into the cache, then exit
  --json           print the runs as JSON
cache: $WASMRUN_BENCH_CACHE, else ~/.cache/wasmrun-bench (now ${cacheDir()})`;
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      engines: { type: "string" },
      runs: { type: "string", default: "1" },
      timeout: { type: "string", default: "300" },
      prove: { type: "boolean", default: false },
      fetch: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const runs = Number(values.runs), timeoutSeconds = Number(values.timeout);
  const engines = ["v8", ...(values.engines?.split(",") ?? ENGINES)].filter((e, i, all) =>
    all.indexOf(e) === i
  );
  const unknown = engines.find((e) => !(ENGINES as readonly string[]).includes(e));
  if (values.help || !(runs >= 1) || !(timeoutSeconds > 0) || unknown) {
    if (unknown) console.error(`unknown engine ${unknown}`);
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const packageDir = await fetchPackage();
  if (values.fetch) {
    console.log(packageDir);
    return 0;
  }
  const wasm = await Deno.stat(`${packageDir}/${CLINGO.wasm}`);
  console.error(
    `${CLINGO.package}@${CLINGO.version} (${
      (wasm.size / 1e6).toFixed(2)
    } MB ${CLINGO.wasm}): ${CASES.length} cases`,
  );

  const best = new Map<Engine, EngineRun>();
  for (let i = 0; i < runs; i++) {
    for (const engine of engines as Engine[]) {
      if (best.get(engine)?.error !== undefined) continue;
      const run = await runEngine(engine, packageDir, { timeoutSeconds });
      console.error(`  ${engine.padEnd(14)} ${run.error ? "failed" : `${run.seconds.toFixed(2)} s`}`);
      const before = best.get(engine);
      if (!before || run.error !== undefined || run.result!.runMs < before.result!.runMs) {
        best.set(engine, run);
      }
    }
  }

  const reference = best.get("v8")!;
  if (!reference.result || reference.error) {
    console.log(`v8 (the reference) failed: ${reference.error}`);
    return 1;
  }
  let failed = false;
  const status = new Map<Engine, string>();
  for (const [engine, run] of best) {
    if (engine === "v8") status.set(engine, "reference");
    else if (run.error !== undefined) {
      failed = true;
      const eh = await wasmrunHasExceptions();
      const hint = eh.yes
        ? ""
        : `\n    (wasmrun has no wasm exception handling yet: its Module rejects a one-tag try/catch: ${eh.why})`;
      status.set(engine, `FAILED: ${run.error}${hint}`);
    } else {
      const diff = differences(reference.result, run.result!);
      failed ||= diff !== "";
      status.set(engine, diff ? `DIFFERENT from V8:\n    ${diff}` : "same output as V8");
    }
  }
  if (values.json) {
    console.log(
      JSON.stringify({ date: new Date().toISOString(), deno: Deno.version.deno, runs: [...best.values()] }),
    );
  } else {
    const ms = (x: number | undefined) => x === undefined ? "-" : x.toFixed(1);
    const rows = [["engine", "process s", "init ms", "cases ms", "result"]];
    for (const [engine, run] of best) {
      const r = run.result;
      const ok = run.error === undefined;
      rows.push([
        engine,
        ok ? run.seconds.toFixed(2) : "-",
        ok ? ms(r?.initMs) : "-",
        ok ? ms(r?.runMs) : "-",
        status.get(engine)!.startsWith("FAILED") ? "FAILED (below)" : status.get(engine)!.split("\n")[0],
      ]);
    }
    console.log(table(rows, true));
    console.log(
      "init: the glue's Runner.init (read, compile, instantiate, static constructors); cases: the sum of Runner.run",
    );
    const perCase = [["case", ...[...best.keys()].map((e) => `${e} ms`)]];
    for (const [i, c] of CASES.entries()) {
      perCase.push([c.name, ...[...best.values()].map((run) => ms(run.result?.cases[i]?.ms))]);
    }
    console.log("\n" + table(perCase));
    for (const [engine, text] of status) {
      if (text.includes("\n") || text.startsWith("FAILED")) console.log(`\n${engine}: ${text}`);
    }
  }
  if (values.prove) {
    console.log("\nprove (each case on a fresh instance, with one tag's throws replaced by unreachable):");
    const passed = [...best].filter(([e, run]) => e !== "v8" && run.error === undefined).map(([e]) => e);
    if (!await prove(packageDir, reference.result, passed, timeoutSeconds)) failed = true;
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
