/**
 * Which post-MVP features a module uses, found from its types, imports/exports, segments and an
 * instruction-by-instruction walk of every function body (skipping each opcode's immediates).
 * The walk knows the Wasm 2.0 instruction set plus the SIMD, threads, tail-call, exception, typed
 * function reference and GC opcodes well enough to name them (any other Wasm 3.0 opcode it sizes with
 * the decoder's table); an opcode it cannot size ends the walk of that body.
 */
import { GcOp, isKnownOpcode, SimdImm, simdImmediate } from "../wasm/opcodes.ts";
import { skipImmediates } from "../wasm/code.ts";
import { Reader } from "../wasm/reader.ts";
import {
  ExternKind,
  heapOf,
  HeapType,
  isRefType,
  type ModuleInfo,
  REF_BASE,
  SegmentMode,
  TYPE_HEAP,
  TypeKind,
  ValType,
} from "../wasm/types.ts";

export const FEATURE_NAMES = [
  "multi-value",
  "mutable-globals",
  "sign-extension",
  "nontrapping-float-to-int",
  "bulk-memory",
  "reference-types",
  "simd",
  "tail-call",
  "threads",
  "exception-handling",
  "multi-memory",
  "memory64",
  "function-references",
  "gc",
] as const;

export type Feature = typeof FEATURE_NAMES[number];

/** Skips the immediates of a 0xfd (SIMD) sub-opcode, by the decoder's table of their layouts. */
function skipSimdImmediates(r: Reader, sub: number): void {
  switch (simdImmediate(sub)) {
    case SimdImm.MemArg:
      memarg(r);
      break;
    case SimdImm.MemArgLane:
      memarg(r);
      r.u8();
      break;
    case SimdImm.Lane:
      r.u8();
      break;
    case SimdImm.Bytes16:
      r.take(16);
      break;
  }
}

function memarg(r: Reader): number {
  const align = r.u32();
  let memory = 0;
  if (align & 0x40) memory = r.u32(); // multi-memory: an explicit memory index follows
  r.s64(); // offset (LEB up to 64 bits, read as such to stay lenient)
  return memory;
}

function blockType(r: Reader, use: (f: Feature) => void): void {
  const b = r.bytes[r.pos];
  if (b === 0x40) r.u8();
  else if (b >= ValType.V128 && b <= ValType.I32) {
    r.u8();
    if (b === ValType.V128) use("simd");
  } else if (b === ValType.FuncRef || b === ValType.ExternRef) {
    r.u8();
    use("reference-types");
  } else {
    r.s33();
    use("multi-value"); // a type index: blocks with parameters or several results
  }
}

/** Walks one body; returns false if it met an opcode it cannot size. */
function scanBody(r: Reader, use: (f: Feature) => void): boolean {
  while (r.pos < r.end) {
    const op = r.u8();
    if (op >= 0x45 && op <= 0xbf) continue; // numeric, no immediates
    if (op >= 0xc0 && op <= 0xc4) {
      use("sign-extension");
      continue;
    }
    if (op >= 0x28 && op <= 0x3e) {
      if (memarg(r) !== 0) use("multi-memory");
      continue;
    }
    switch (op) {
      case 0x00:
      case 0x01:
      case 0x05:
      case 0x0b:
      case 0x0f:
      case 0x1a:
      case 0x1b:
        break;
      case 0x02:
      case 0x03:
      case 0x04:
        blockType(r, use);
        break;
      case 0x06: // try
        use("exception-handling");
        blockType(r, use);
        break;
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x18: // catch, throw, rethrow, delegate
        use("exception-handling");
        r.u32();
        break;
      case 0x19:
      case 0x0a: // catch_all, throw_ref
        use("exception-handling");
        break;
      case 0x0c:
      case 0x0d:
      case 0x10:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
        r.u32();
        break;
      case 0x0e: {
        const n = r.u32();
        for (let i = 0; i <= n; i++) r.u32();
        break;
      }
      case 0x11:
        r.u32();
        if (r.u32() !== 0) use("reference-types"); // a table other than 0
        break;
      case 0x12:
        use("tail-call");
        r.u32();
        break;
      case 0x13:
        use("tail-call");
        r.u32();
        r.u32();
        break;
      case 0x1c: {
        use("reference-types");
        const n = r.u32();
        for (let i = 0; i < n; i++) if (r.u8() === ValType.V128) use("simd");
        break;
      }
      case 0x25:
      case 0x26:
        use("reference-types");
        r.u32();
        break;
      case 0x3f:
      case 0x40:
        if (r.u32() !== 0) use("multi-memory");
        break;
      case 0x41:
        r.s32();
        break;
      case 0x42:
        r.s64();
        break;
      case 0x43:
        r.take(4);
        break;
      case 0x44:
        r.take(8);
        break;
      case 0xd0:
        use("reference-types");
        r.u8();
        break;
      case 0xd1:
        use("reference-types");
        break;
      case 0xd2:
        use("reference-types");
        r.u32();
        break;
      case 0xfc: {
        const sub = r.u32();
        if (sub <= 7) use("nontrapping-float-to-int");
        else if (sub <= 14) use("bulk-memory");
        else if (sub <= 17) use("reference-types");
        else return false;
        if (sub === 8) {
          r.u32();
          if (r.u32() !== 0) use("multi-memory");
        } else if (sub === 10) {
          if ((r.u32() | r.u32()) !== 0) use("multi-memory");
        } else if (sub === 11) {
          if (r.u32() !== 0) use("multi-memory");
        } else if (sub === 12 || sub === 14) {
          const [a, b] = [r.u32(), r.u32()];
          if ((sub === 12 ? b : a | b) !== 0) use("reference-types");
        } else if (sub === 9 || sub === 13 || sub >= 15) r.u32();
        break;
      }
      case 0xfd:
        use("simd");
        skipSimdImmediates(r, r.u32());
        break;
      case 0xfb: { // structs, arrays, casts, i31
        const at = r.pos;
        if (r.u32() > GcOp.I31GetU) return false;
        r.pos = at;
        use("gc");
        skipImmediates(r, op);
        break;
      }
      case 0xd3: // ref.eq
        use("gc");
        break;
      case 0x14: // call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null
      case 0x15:
      case 0xd4:
      case 0xd5:
      case 0xd6:
        use("function-references");
        if (op === 0x15) use("tail-call");
        skipImmediates(r, op);
        break;
      case 0x1f: // try_table
        use("exception-handling");
        skipImmediates(r, op);
        break;
      case 0xfe: {
        use("threads");
        const sub = r.u32();
        if (sub === 0x03) r.u8(); // atomic.fence
        else memarg(r);
        break;
      }
      default:
        if (!isKnownOpcode(op)) return false;
        skipImmediates(r, op);
    }
  }
  return true;
}

/** The feature a reference type needs beyond reference types: typed function references, or GC. */
function refFeature(t: number): Feature | null {
  if (t < REF_BASE) return null;
  const heap = heapOf(t as ValType);
  const gcHeaps: number[] = [
    HeapType.Any,
    HeapType.Eq,
    HeapType.I31,
    HeapType.Struct,
    HeapType.Array,
    HeapType.None,
  ];
  if (gcHeaps.includes(heap)) return "gc";
  return heap >= TYPE_HEAP ? "function-references" : null;
}

export interface FeatureReport {
  features: Feature[];
  /** Functions whose bodies could not be fully walked (an opcode unknown to the scanner). */
  unscanned: number[];
}

export function detectFeatures(m: ModuleInfo): FeatureReport {
  const used = new Set<Feature>();
  const use = (f: Feature) => used.add(f);
  const useRef = (v: number) => {
    if (!isRefType(v as ValType)) return;
    use("reference-types");
    const f = refFeature(v);
    if (f !== null) use(f);
  };
  for (const t of m.types) {
    if (t.results.length > 1) use("multi-value");
    if (t.kind !== TypeKind.Func || t.groupSize > 1 || t.supertype >= 0 || !t.final) use("gc");
    for (const v of [...t.params, ...t.results, ...t.fields.map((f) => f.type)]) {
      if (v === ValType.V128) use("simd");
      useRef(v);
    }
  }
  if ([...m.memories, ...m.tables].some((x) => x.limits.address64)) use("memory64");
  for (const imp of m.imports) {
    if (imp.desc.kind === ExternKind.Global && imp.desc.type.mutable) use("mutable-globals");
  }
  for (const exp of m.exports) {
    if (exp.kind === ExternKind.Global && m.globalTypes[exp.index]?.mutable) use("mutable-globals");
  }
  for (const g of m.globalTypes) {
    if (g.type === ValType.V128) use("simd");
    useRef(g.type);
  }
  for (const t of m.tables) {
    const f = refFeature(t.elem);
    if (f !== null) use(f);
  }
  if (m.tables.length > 1 || m.tables.some((t) => t.elem === ValType.ExternRef)) use("reference-types");
  if (m.memories.length > 1) use("multi-memory");
  if (m.dataCount !== undefined || m.datas.some((d) => d.mode === SegmentMode.Passive)) use("bulk-memory");
  for (const e of m.elems) {
    if (e.mode !== SegmentMode.Active) use("bulk-memory");
    if (e.funcIndices === undefined || e.type === ValType.ExternRef || e.table !== 0) use("reference-types");
  }
  const unscanned: number[] = [];
  m.funcs.forEach((f, i) => {
    for (const l of f.locals) {
      if (l === ValType.V128) use("simd");
      useRef(l);
    }
    try {
      if (!scanBody(new Reader(m.bytes, f.codeStart, f.codeEnd), use)) {
        unscanned.push(m.importedFuncCount + i);
      }
    } catch {
      unscanned.push(m.importedFuncCount + i);
    }
  });
  return { features: FEATURE_NAMES.filter((f) => used.has(f)), unscanned };
}
