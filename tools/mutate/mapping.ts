/**
 * Which tests a mutant of a source file runs: the entry whose `src` is the longest prefix of the file's
 * path wins. Test names are globs over tests/ and bench/ ("*" matches within a file name), expanded
 * against the tree, so a new test file that fits a pattern is picked up without editing this table. A
 * file no entry covers runs the whole suite (slow: give it an entry).
 *
 * Aim for 5–20 s per mutant: the tests that exercise the code, not all that touch it.
 */

export interface MappingEntry {
  /** A folder ("src/wasi/") or a file ("src/wasm/reader.ts"), relative to the repository root. */
  src: string;
  /** Test files or globs, relative to the repository root. */
  tests: string[];
}

const DECODING = [
  "tests/decoder_test.ts",
  "tests/validator_test.ts",
  "tests/malformed_test.ts",
  "tests/spec_test.ts",
  "tests/api_test.ts",
];

export const MAPPING: MappingEntry[] = [
  { src: "src/wasm/reader.ts", tests: DECODING },
  { src: "src/wasm/decoder.ts", tests: DECODING },
  { src: "src/wasm/validator.ts", tests: DECODING },
  { src: "src/wasm/types.ts", tests: DECODING },
  {
    src: "src/wasm/code.ts",
    tests: [
      "tests/spec_test.ts",
      "tests/lowering_test.ts",
      "tests/jit*_test.ts",
      "tests/fus*_test.ts",
      "tests/fuel_test.ts",
    ],
  },
  { src: "src/wasm/opcodes.ts", tests: [...DECODING, "tests/jit_test.ts", "tests/opcodes_test.ts"] },
  {
    src: "src/wasm/errors.ts",
    tests: ["tests/api_test.ts", "tests/spec_test.ts", "tests/malformed_test.ts"],
  },
  {
    src: "src/interp/",
    tests: [
      "tests/spec_test.ts",
      "tests/api_test.ts",
      "tests/interp_*_test.ts",
      "tests/simd_*_test.ts",
      "tests/const_expr_test.ts",
      "tests/fus*_test.ts",
      "tests/lowering_test.ts",
      "tests/limits_test.ts",
      "tests/boundary_test.ts",
      "tests/bounds_test.ts",
      "tests/memory*_test.ts",
      "tests/fuel_test.ts",
      "tests/simd_test.ts",
      "tests/malformed_test.ts",
    ],
  },
  {
    src: "src/jit/",
    tests: [
      "tests/jit*_test.ts",
      "tests/spec_test.ts",
      "tests/simd_*_test.ts",
      "tests/fuzz_regression_test.ts",
      "tests/boundary_test.ts",
      "tests/bounds_test.ts",
      "tests/fuel_test.ts",
      "tests/limits_test.ts",
    ],
  },
  {
    // Tiering and instantiation: which tier runs what, and building instances.
    src: "src/engine/",
    tests: [
      "tests/spec_test.ts",
      "tests/api*_test.ts",
      "tests/jit*_test.ts",
      "tests/lowering_test.ts",
      "tests/limits_test.ts",
      "tests/fuel_test.ts",
      "tests/const_expr_test.ts",
      "tests/malformed_test.ts",
    ],
  },
  {
    // What both tiers stand on: the interpreter's tests and the JS tier's, and the JS API's.
    src: "src/runtime/",
    tests: [
      "tests/spec_test.ts",
      "tests/api*_test.ts",
      "tests/interp_*_test.ts",
      "tests/jit*_test.ts",
      "tests/fus*_test.ts",
      "tests/limits_test.ts",
      "tests/boundary_test.ts",
      "tests/bounds_test.ts",
      "tests/memory*_test.ts",
      "tests/fuel_test.ts",
      "tests/malformed_test.ts",
    ],
  },
  {
    src: "src/api/",
    tests: [
      "tests/api*_test.ts",
      "tests/memory*_test.ts",
      "tests/spec_test.ts",
      "tests/limits_test.ts",
      "tests/fuel_test.ts",
      "tests/malformed_test.ts",
    ],
  },
  {
    src: "src/wasi/",
    tests: ["tests/wasi_*_test.ts", "tests/cli_trace_test.ts", "tests/sandbox_caps_test.ts"],
  },
  { src: "src/wasi/fs/", tests: ["tests/wasi_*_test.ts", "tests/sandbox_attacks_test.ts"] },
  {
    src: "src/cli/",
    tests: [
      "tests/cli_test.ts",
      "tests/cli_*_test.ts",
      "tests/features_test.ts",
      "tests/wasi_programs_test.ts",
    ],
  },
];

/** The mapping entry for `file`, or undefined (then the whole suite runs). */
export function entryFor(file: string, mapping: MappingEntry[] = MAPPING): MappingEntry | undefined {
  return mapping.filter((e) => e.src.endsWith("/") ? file.startsWith(e.src) : file === e.src)
    .sort((a, b) => b.src.length - a.src.length)[0];
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
  return new RegExp(`^${escaped}$`);
}

/** The test files (sorted, relative to `root`) for a mutant of `file`. */
export function testsFor(root: string, file: string, mapping: MappingEntry[] = MAPPING): string[] {
  const entry = entryFor(file, mapping);
  const all = listTests(root);
  if (!entry) return all;
  const patterns = entry.tests.map(globToRegExp);
  return all.filter((t) => patterns.some((p) => p.test(t)));
}

/** Every test file of the suite: tests/**\/*_test.ts and bench/*_test.ts. */
export function listTests(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${root}/${dir}`)) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory && dir === "tests" && !["fixtures"].includes(e.name)) walk(rel);
      else if (e.isFile && /_test\.ts$/.test(e.name)) out.push(rel);
    }
  };
  for (const d of ["tests", "bench"]) {
    try {
      walk(d);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out.sort();
}
