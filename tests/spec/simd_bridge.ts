/**
 * Calls exported functions whose signature has v128, which the JS API refuses to convert, or whose NaN
 * arguments must keep their exact bits (a JS number need not). A tiny generated
 * module imports the function with its exact type, loads the arguments from its memory, calls it and stores
 * the results back, so JS only moves bytes. Built and run with the engine under test.
 */
import { RAW_SIZE, type SpecValue, toJs, writeRaw } from "./values.ts";
import type { WasmApi } from "./engine_api.ts";
import { leb, name, section, vec } from "./module_bytes.ts";

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };
const LOAD: Record<string, number[]> = {
  i32: [0x28],
  i64: [0x29],
  f32: [0x2a],
  f64: [0x2b],
  v128: [0xfd, 0x00],
};
const STORE: Record<string, number[]> = {
  i32: [0x36],
  i64: [0x37],
  f32: [0x38],
  f64: [0x39],
  v128: [0xfd, 0x0b],
};
/** Each argument and result gets one 16-byte slot at the start of memory. */
const SLOT = 16;

function valtype(t: string): number {
  const code = VALTYPE[t];
  if (code === undefined) throw new Error(`the SIMD bridge cannot carry ${t}`);
  return code;
}

/** The binary of the bridge module for one signature: imports m.f, exports run() and mem. */
export function bridgeBinary(params: string[], results: string[]): Uint8Array {
  const memarg = (slot: number) => [0x00, ...leb(slot * SLOT)];
  const body: number[] = [];
  params.forEach((t, i) => body.push(0x41, 0x00, ...LOAD[t], ...memarg(i)));
  body.push(0x10, 0x00); // call the import
  for (let j = results.length - 1; j >= 0; j--) body.push(0x21, ...leb(j)); // pop results into locals
  results.forEach((t, j) => body.push(0x41, 0x00, 0x20, ...leb(j), ...STORE[t], ...memarg(j)));
  body.push(0x0b);
  const locals = vec(results.map((t) => [1, valtype(t)]));
  const func = [...locals, ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(
      1,
      vec([[0x60, ...vec(params.map((t) => [valtype(t)])), ...vec(results.map((t) => [valtype(t)]))], [
        0x60,
        0x00,
        0x00,
      ]]),
    ),
    ...section(2, vec([[...name("m"), ...name("f"), 0x00, 0x00]])),
    ...section(3, vec([[0x01]])),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(7, vec([[...name("run"), 0x00, 0x01], [...name("mem"), 0x02, 0x00]])),
    ...section(10, vec([[...leb(func.length), ...func]])),
  ]);
}

/** Compiled bridges per engine and signature: the suite has few distinct signatures and many calls. */
const cache = new WeakMap<WasmApi, Map<string, unknown>>();

function bridgeModule(api: WasmApi, params: string[], results: string[]): unknown {
  let perApi = cache.get(api);
  if (!perApi) cache.set(api, perApi = new Map());
  const key = `${params.join(",")}->${results.join(",")}`;
  let module = perApi.get(key);
  if (!module) perApi.set(key, module = new api.Module(bridgeBinary(params, results)));
  return module;
}

/** Whether a float argument is a NaN, whose payload a JS number might not carry intact into wasm. */
function isNanArg(a: SpecValue): boolean {
  return (a.type === "f32" || a.type === "f64") && Number.isNaN(toJs(a));
}

/** v128 cannot cross the JS API at all; NaN arguments go by bits so that payloads arrive exactly. */
export function needsBridge(args: SpecValue[], resultTypes: string[]): boolean {
  return args.some((a) => a.type === "v128" || isNanArg(a)) || resultTypes.includes("v128");
}

/**
 * Calls `fn` through a bridge; returns a view of memory where result j sits at byte j * resultSlot.
 * Traps propagate as the engine throws them.
 */
export function callThroughBridge(
  api: WasmApi,
  fn: unknown,
  args: SpecValue[],
  results: string[],
  instanceOptions?: object,
): DataView {
  for (const t of [...args.map((a) => a.type), ...results]) {
    if (!RAW_SIZE[t]) throw new Error(`the SIMD bridge cannot carry ${t}`);
  }
  const module = bridgeModule(api, args.map((a) => a.type), results);
  const exports = new api.Instance(module, { m: { f: fn } }, instanceOptions).exports;
  const memory = exports.mem as { buffer: ArrayBuffer };
  const view = () => new DataView(memory.buffer);
  args.forEach((a, i) => writeRaw(view(), i * SLOT, a));
  (exports.run as () => void)();
  return view();
}

export const resultSlot = SLOT;
