/**
 * How wasm values are spelled in the generated JS: the variables of each value (by type and stack
 * depth, or by local), and exact literals for floats.
 */
import { type ModuleInfo, ValType } from "../wasm/types.ts";
import { functionUrl } from "../runtime/wasm_url.ts";

/**
 * The names by which generated code reaches what is the same for all of it: the realm-wide value
 * stack views, the machine, scratch views, and the helpers (`E`). They are read-only globals
 * (support.ts `installRealm` defines them), not variables of the code's closure: code compiled
 * from one source is shared by every instance of a module, and V8 embeds a read-only global as a
 * constant in shared optimised code, where a closure's variable is a load. A second copy of the
 * engine in the same realm takes the next free prefix.
 */
export const RT = (() => {
  let prefix = "$w";
  for (let n = 1; `${prefix}E` in globalThis; n++) prefix = `$w${n}`;
  const names = ["I32", "F64", "R", "V", "M", "SI", "SF", "SD", "HI", "E", "N", "B"] as const;
  return Object.fromEntries(names.map((n) => [n, prefix + n])) as Record<typeof names[number], string>;
})();

/** The letter of a type in variable names: `i3` is the i32 at stack depth 3. */
export function letter(t: ValType): string {
  switch (t) {
    case ValType.I32:
      return "i";
    case ValType.I64:
      return "x";
    case ValType.F32:
      return "f";
    case ValType.F64:
      return "d";
    case ValType.V128:
      return "v"; // v128: four int32 lanes, `v3_0` … `v3_3`
  }
  return "r"; // every reference type
}

/** The lanes of a v128 in compiled code: four int32 words, lane 0 lowest. */
export const LANES = [0, 1, 2, 3];

/** The JS variables holding a value of type `t` whose variable (or low half) is `base`. */
export function partsOf(t: ValType, base: string, hi: string): string[] {
  if (t === ValType.I64) return [base, hi];
  if (t === ValType.V128) return LANES.map((i) => `${base}_${i}`);
  return [base];
}

/** `a = b` for every part of two values of the same type. */
export function assign(to: string[], from: string[]): string {
  return to.map((name, i) => `${name} = ${from[i]};`).join(" ");
}

/** JS for the bits of the f32 number `v` (a variable): plain unless it is a NaN. */
export function f32Bits(v: string): string {
  return `(${v} === ${v} ? ${RT.B}(${v}) : ${RT.E}.f32NaNBits(${v}))`;
}

/** JS for the f32 number of the bits `e` (an expression). */
export function f32FromBits(e: string): string {
  return `${RT.E}.f32FromBits(${e})`;
}

/** A JS literal for the f32 with the given bits. */
export function f32Literal(bits: number): string {
  const cell = new DataView(new ArrayBuffer(4));
  cell.setInt32(0, bits, true);
  const x = cell.getFloat32(0, true);
  if (x !== x) return `${RT.E}.f32FromBits(${bits})`;
  return Object.is(x, -0) ? "-0" : String(x);
}

/** A JS literal for an f64 given by its bits, exact for -0, infinities and NaN payloads. */
export function f64Literal(lo: number, hi: number): string {
  const cell = new DataView(new ArrayBuffer(8));
  cell.setInt32(0, lo, true), cell.setInt32(4, hi, true);
  const x = cell.getFloat64(0, true);
  if (x !== x) return `(${RT.SI}[0] = ${lo}, ${RT.SI}[1] = ${hi}, ${RT.SD}[0])`;
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/**
 * Compiled code carries its wasm function's name and URL, so that JS stack traces and CPU profiles
 * show the wasm function where they would show `self`: the function is the value of a property named
 * as the function (`const self = ({ "app::fib": (function (s) {…}) })["app::fib"];`), which gives it
 * that name in its source, where profilers read it, whatever characters it holds, and binds no
 * name inside it that could hide a variable of the code (a function named `undefined` or `F`). The
 * source's URL is the one the built-in engine gives the function,
 * `wasm://wasm/<hash>:wasm-function[N]` (wasm_url.ts). The body calls itself through `self`.
 */
export function sourceStart(module: ModuleInfo, index: number, params: string): string {
  return `const self = ({ ${nameKey(module, index)}: (function (${params}) {`;
}

/** The end of that source, closing what `sourceStart` opened. */
export function sourceEnding(module: ModuleInfo, index: number): string {
  const key = nameKey(module, index);
  return `}) })[${key.startsWith("[") ? key.slice(1, -1) : key}];\nreturn self;\n` +
    `//# sourceURL=${functionUrl(module, index)}`;
}

/**
 * The property key naming function `index`: its name section's name (or `<anonymous>`, as Deno
 * shows the built-in's unnamed functions) as a JSON string literal, whatever it holds; computed
 * for `__proto__`, which as a plain key would set the object's prototype instead.
 */
function nameKey(module: ModuleInfo, index: number): string {
  const name = JSON.stringify(module.names.functions.get(index) ?? "<anonymous>");
  return name === '"__proto__"' ? `[${name}]` : name;
}

/** The code this file generates with, for the compile cache's key (compile.ts `generatorText`). */
export function namesText(): string {
  return [
    letter,
    partsOf,
    assign,
    f32Bits,
    f32FromBits,
    f32Literal,
    f64Literal,
    sourceStart,
    sourceEnding,
    nameKey,
  ].map(String).join("\n") + JSON.stringify({ RT, LANES });
}
