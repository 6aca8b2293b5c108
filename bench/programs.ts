/**
 * The benchmark programs: one wasm module each, built from bench/src/*.c by bench/build.sh, each
 * exporting `run(n)` that returns a checksum. `arg` is sized for roughly 20-40 ms on V8 after
 * warm-up. `expected` is the checksum V8 computed when the module was built; it catches a
 * wrong answer even when only one engine is run.
 */

export interface Program {
  name: string;
  /** What the program stresses, for the report. */
  what: string;
  /** File name in bench/wasm/. */
  file: string;
  arg: number;
  expected: number | bigint;
}

export const PROGRAMS: Program[] = [
  { name: "fib", what: "calls (recursive fib)", file: "fib.wasm", arg: 35, expected: 9227465 },
  { name: "sieve", what: "byte loops over memory", file: "sieve.wasm", arg: 10, expected: 1205659292 },
  { name: "sha256", what: "32-bit bit operations", file: "sha256.wasm", arg: 300, expected: -1157484998 },
  {
    name: "hash64",
    what: "64-bit integer arithmetic",
    file: "hash64.wasm",
    arg: 8_000_000,
    expected: 6997748058193793760n,
  },
  { name: "matmul", what: "f64 matrix multiply", file: "matmul.wasm", arg: 400, expected: 399985195.3125 },
  {
    name: "nbody",
    what: "f64 n-body simulation",
    file: "nbody.wasm",
    arg: 250_000,
    expected: -10.06614693903615,
  },
  { name: "sort", what: "quicksort of i32 array", file: "sort.wasm", arg: 500_000, expected: -109931803 },
  // SIMD kernels: each source (src/*_simd.c) built twice, with -msimd128 and without; same checksum.
  ...simdPair("sum", "i32 array sum", 12_000, -1666547590),
  ...simdPair("dot", "i16 dot product into i32", 5_000, -1463861294),
  ...simdPair("saxpy", "f32 y = a*x + y", 12_000, -1874467328),
  ...simdPair("search", "memchr-style byte search", 1_000, -549801668),
];

function simdPair(name: string, what: string, arg: number, expected: number): Program[] {
  return [
    { name: `${name}_scalar`, what: `${what} (scalar build)`, file: `${name}_scalar.wasm`, arg, expected },
    { name: `${name}_simd`, what: `${what} (-msimd128)`, file: `${name}_simd.wasm`, arg, expected },
  ];
}

export function loadProgramBytes(program: Program): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(`./wasm/${program.file}`, import.meta.url));
}
