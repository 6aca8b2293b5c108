/**
 * Line coverage of src/ per folder, and every file below the threshold.
 *
 *   deno run -A tools/coverage.ts [--threshold 85] [--keep DIR] [test paths… (default: tests/ bench/)]
 *
 * Runs `deno test -A --coverage=DIR` on the test paths, reads `deno coverage --lcov`, and prints, for each
 * folder of src/ (its own files, not its subfolders), the lines hit over the lines found, then every file
 * under the threshold with its own numbers. Subprocesses the tests start (the CLI tests run `deno run
 * cli.ts`) are counted too: DENO_COVERAGE_DIR is passed down to them. Exit status: that of the test run
 * (a failing test makes the numbers partial), else 0; the threshold only selects what is listed.
 */
import { parseArgs } from "node:util";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    threshold: { type: "string", default: "85" },
    keep: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  allowPositionals: true,
});
if (values.help) {
  console.log("usage: deno run -A tools/coverage.ts [--threshold 85] [--keep DIR] [test paths...]");
  Deno.exit(0);
}
const threshold = Number(values.threshold);
const tests = positionals.length ? positionals : ["tests/", "bench/"];
const dir = values.keep ?? Deno.makeTempDirSync({ prefix: "wasmrun-coverage-" });

interface Counts {
  found: number;
  hit: number;
}

/** Per source file (repository-relative): lines found and hit, from LCOV text. */
export function parseLcov(lcov: string, root: string): Map<string, Counts> {
  const files = new Map<string, Counts>();
  let current: string | undefined;
  let counts: Counts = { found: 0, hit: 0 };
  for (const line of lcov.split("\n")) {
    if (line.startsWith("SF:")) {
      current = line.slice(3).replace(/^file:\/\//, "");
      counts = { found: 0, hit: 0 };
    } else if (line.startsWith("DA:") && current) {
      const [, n] = line.slice(3).split(",");
      counts.found++;
      if (Number(n) > 0) counts.hit++;
    } else if (line === "end_of_record" && current) {
      if (current.startsWith(`${root}/`)) {
        const rel = current.slice(root.length + 1);
        const before = files.get(rel);
        files.set(
          rel,
          before
            ? { found: Math.max(before.found, counts.found), hit: Math.max(before.hit, counts.hit) }
            : counts,
        );
      }
      current = undefined;
    }
  }
  return files;
}

function percent(c: Counts): string {
  return c.found ? `${(100 * c.hit / c.found).toFixed(1)} %` : "n/a";
}

try {
  console.log(`deno test -A --coverage=${dir} ${tests.join(" ")}`);
  const testRun = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", `--coverage=${dir}`, ...tests],
    cwd: ROOT,
    env: { DENO_COVERAGE_DIR: dir },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  const lcov = await new Deno.Command(Deno.execPath(), {
    args: ["coverage", "--lcov", `--include=^file://${ROOT}/src/`, dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!lcov.success) throw new Error("deno coverage failed");
  const files = parseLcov(new TextDecoder().decode(lcov.stdout), ROOT);
  const folders = new Map<string, Counts>();
  for (const [file, c] of files) {
    if (!file.startsWith("src/")) continue;
    const folder = file.slice(0, file.lastIndexOf("/") + 1);
    const f = folders.get(folder) ?? { found: 0, hit: 0 };
    folders.set(folder, { found: f.found + c.found, hit: f.hit + c.hit });
  }
  const total = [...folders.values()].reduce((a, c) => ({ found: a.found + c.found, hit: a.hit + c.hit }), {
    found: 0,
    hit: 0,
  });
  console.log(`\nline coverage of src/ (${tests.join(" ")}):`);
  for (const [folder, c] of [...folders].sort()) {
    console.log(`  ${folder.padEnd(16)} ${percent(c).padStart(8)}  (${c.hit}/${c.found} lines)`);
  }
  console.log(
    `  ${"all of src/".padEnd(16)} ${percent(total).padStart(8)}  (${total.hit}/${total.found} lines)`,
  );
  const low = [...files].filter(([f, c]) =>
    f.startsWith("src/") && c.found && 100 * c.hit / c.found < threshold
  )
    .sort(([, a], [, b]) => a.hit / a.found - b.hit / b.found);
  const all: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(`${ROOT}/${rel}`)) {
      if (e.isDirectory) walk(`${rel}/${e.name}`);
      else if (e.name.endsWith(".ts")) all.push(`${rel}/${e.name}`);
    }
  };
  walk("src");
  const unloaded = all.filter((f) => !files.has(f)).sort();
  if (unloaded.length) {
    console.log(
      `\nnot in the coverage data (never loaded by a test, or no executable code; not counted above): ${
        unloaded.join(" ")
      }`,
    );
  }
  console.log(`\nfiles under ${threshold} %: ${low.length}`);
  for (const [file, c] of low) {
    console.log(`  ${file.padEnd(34)} ${percent(c).padStart(8)}  (${c.hit}/${c.found} lines)`);
  }
  if (!testRun.success) {
    console.log("\nthe test run failed: these numbers are partial");
    Deno.exitCode = testRun.code || 1;
  }
  if (values.keep) {
    console.log(`\ncoverage data kept in ${dir} (deno coverage ${dir} --html for a browsable report)`);
  }
} finally {
  if (!values.keep) Deno.removeSync(dir, { recursive: true });
}
