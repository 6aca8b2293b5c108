/**
 * Tells a struct from an array (and from an i31 or a host object) for the result patterns `(ref.struct)`,
 * `(ref.array)` and `(ref.eq)`: JS sees them all as opaque objects, so a tiny module asks wasm's own
 * `ref.test`. Built with the engine under test; an engine without GC cannot build it and answers nothing.
 */
import type { RefKind, RefProbe } from "./values.ts";
import type { WasmApi } from "./engine_api.ts";

const ANYREF = 0x6e, I32 = 0x7f;
/** Heap types tested, in the order of the module's functions. */
const KINDS: [RefKind, number][] = [["struct", 0x6b], ["array", 0x6a], ["i31", 0x6c]];

function section(id: number, content: number[]): number[] {
  return [id, content.length, ...content]; // every section here is shorter than 128 bytes
}

function name(s: string): number[] {
  return [s.length, ...new TextEncoder().encode(s)];
}

/** `(func (export KIND) (param anyref) (result i32) (ref.test (ref KIND) (local.get 0)))` per kind. */
export function probeBinary(): Uint8Array {
  const body = (heapType: number) => [7, 0x00, 0x20, 0x00, 0xfb, 0x14, heapType, 0x0b];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 1, ANYREF, 1, I32]),
    ...section(3, [KINDS.length, ...KINDS.map(() => 0)]),
    ...section(7, [KINDS.length, ...KINDS.flatMap(([kind], i) => [...name(kind), 0x00, i])]),
    ...section(10, [KINDS.length, ...KINDS.flatMap(([, heapType]) => body(heapType))]),
  ]);
}

const probes = new WeakMap<WasmApi, RefProbe>();

/** The probe for one engine (built once); undefined answers when the engine cannot run it. */
export function refProbe(api: WasmApi): RefProbe {
  let probe = probes.get(api);
  if (probe) return probe;
  let tests: [RefKind, (x: unknown) => number][] | undefined;
  try {
    const exports = new api.Instance(new api.Module(probeBinary())).exports;
    tests = KINDS.map(([kind]) => [kind, exports[kind] as (x: unknown) => number]);
  } catch {
    tests = undefined; // no GC in this engine: no struct or array can reach us either
  }
  probe = (x) => {
    if (!tests) return undefined;
    for (const [kind, test] of tests) if (test(x) === 1) return kind;
    return "other";
  };
  probes.set(api, probe);
  return probe;
}
