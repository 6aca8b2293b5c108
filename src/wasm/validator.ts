/**
 * Validator for WebAssembly 2.0 modules, SIMD included. Module-level rules are checked item by item;
 * function bodies are checked with the operand-stack algorithm of the spec's validation appendix:
 * a stack of value types (0 = unknown, after unreachable code) and a stack of control frames.
 * All stacks are typed arrays reused across functions, so the per-instruction path allocates nothing.
 */
import { CompileError } from "./errors.ts";
import { FcOp, GcOp, isKnownSimdOp, Op, SimdImm, simdImmediate, SimdOp } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import {
  type ConstExpr,
  type ConstInstr,
  type DefType,
  ExternKind,
  type FieldType,
  type FuncBody,
  heapOf,
  HeapType,
  isDefaultable,
  isNullable,
  isRefType,
  MAX_PAGES,
  MAX_PAGES_64,
  type ModuleInfo,
  Packed,
  REF_BASE,
  refType,
  SegmentMode,
  type TableType,
  TYPE_HEAP,
  typeIndexOf,
  TypeKind,
  unpackedType,
  ValType,
} from "./types.ts";
import { canonicalTypeIds, heapMatches, topHeap } from "./type_canon.ts";
import { readHeapType, readValType } from "./decoder.ts";

/** The type of a stack slot whose type is not known (popped from an unreachable stack). */
const UNKNOWN = 0;

export function validateModule(m: ModuleInfo): void {
  new ModuleValidator(m).run();
}

function fail(message: string, at?: number): never {
  throw new CompileError(message, at);
}

/** Numeric or vector: the types untyped `select` accepts. */
function isNum(t: number): boolean {
  return t === ValType.I32 || t === ValType.I64 || t === ValType.F32 || t === ValType.F64 ||
    t === ValType.V128 || t === UNKNOWN;
}

/** A reference type, or the unknown type of a polymorphic stack (which may be one). */
function mayBeRef(t: number): boolean {
  return isRefType(t) || t === UNKNOWN;
}

// ---- Instruction signature tables (indexed by opcode) ----

/** For simple numeric instructions: operand on top of the stack, the one below it (0 if unary), result. */
const SIG_TOP = new Uint8Array(256);
const SIG_BELOW = new Uint8Array(256);
const SIG_OUT = new Uint8Array(256);
/** Same for the saturating truncations (0xfc 0..7). */
const FC_SIG_IN = new Uint8Array(8);
const FC_SIG_OUT = new Uint8Array(8);
/** For loads and stores: the value type moved and log2 of the natural alignment. */
const MEM_TYPE = new Uint8Array(256);
const MEM_ALIGN = new Uint8Array(256);

function sig(first: number, last: number, input: ValType, output: ValType, binary: boolean): void {
  for (let op = first; op <= last; op++) {
    SIG_TOP[op] = input;
    SIG_BELOW[op] = binary ? input : 0;
    SIG_OUT[op] = output;
  }
}

function memOp(op: number, type: ValType, alignLog2: number): void {
  MEM_TYPE[op] = type;
  MEM_ALIGN[op] = alignLog2;
}

{
  const { I32, I64, F32, F64 } = {
    I32: ValType.I32,
    I64: ValType.I64,
    F32: ValType.F32,
    F64: ValType.F64,
  };
  sig(Op.I32Eqz, Op.I32Eqz, I32, I32, false);
  sig(Op.I32Eq, Op.I32GeU, I32, I32, true);
  sig(Op.I64Eqz, Op.I64Eqz, I64, I32, false);
  sig(Op.I64Eq, Op.I64GeU, I64, I32, true);
  sig(Op.F32Eq, Op.F32Ge, F32, I32, true);
  sig(Op.F64Eq, Op.F64Ge, F64, I32, true);
  sig(Op.I32Clz, Op.I32Popcnt, I32, I32, false);
  sig(Op.I32Add, Op.I32Rotr, I32, I32, true);
  sig(Op.I64Clz, Op.I64Popcnt, I64, I64, false);
  sig(Op.I64Add, Op.I64Rotr, I64, I64, true);
  sig(Op.F32Abs, Op.F32Sqrt, F32, F32, false);
  sig(Op.F32Add, Op.F32Copysign, F32, F32, true);
  sig(Op.F64Abs, Op.F64Sqrt, F64, F64, false);
  sig(Op.F64Add, Op.F64Copysign, F64, F64, true);
  sig(Op.I32WrapI64, Op.I32WrapI64, I64, I32, false);
  sig(Op.I32TruncF32S, Op.I32TruncF32U, F32, I32, false);
  sig(Op.I32TruncF64S, Op.I32TruncF64U, F64, I32, false);
  sig(Op.I64ExtendI32S, Op.I64ExtendI32U, I32, I64, false);
  sig(Op.I64TruncF32S, Op.I64TruncF32U, F32, I64, false);
  sig(Op.I64TruncF64S, Op.I64TruncF64U, F64, I64, false);
  sig(Op.F32ConvertI32S, Op.F32ConvertI32U, I32, F32, false);
  sig(Op.F32ConvertI64S, Op.F32ConvertI64U, I64, F32, false);
  sig(Op.F32DemoteF64, Op.F32DemoteF64, F64, F32, false);
  sig(Op.F64ConvertI32S, Op.F64ConvertI32U, I32, F64, false);
  sig(Op.F64ConvertI64S, Op.F64ConvertI64U, I64, F64, false);
  sig(Op.F64PromoteF32, Op.F64PromoteF32, F32, F64, false);
  sig(Op.I32ReinterpretF32, Op.I32ReinterpretF32, F32, I32, false);
  sig(Op.I64ReinterpretF64, Op.I64ReinterpretF64, F64, I64, false);
  sig(Op.F32ReinterpretI32, Op.F32ReinterpretI32, I32, F32, false);
  sig(Op.F64ReinterpretI64, Op.F64ReinterpretI64, I64, F64, false);
  sig(Op.I32Extend8S, Op.I32Extend16S, I32, I32, false);
  sig(Op.I64Extend8S, Op.I64Extend32S, I64, I64, false);

  const fcSig = (sub: number, input: ValType, output: ValType) => {
    FC_SIG_IN[sub] = input;
    FC_SIG_OUT[sub] = output;
  };
  fcSig(FcOp.I32TruncSatF32S, F32, I32);
  fcSig(FcOp.I32TruncSatF32U, F32, I32);
  fcSig(FcOp.I32TruncSatF64S, F64, I32);
  fcSig(FcOp.I32TruncSatF64U, F64, I32);
  fcSig(FcOp.I64TruncSatF32S, F32, I64);
  fcSig(FcOp.I64TruncSatF32U, F32, I64);
  fcSig(FcOp.I64TruncSatF64S, F64, I64);
  fcSig(FcOp.I64TruncSatF64U, F64, I64);

  memOp(Op.I32Load, I32, 2);
  memOp(Op.I64Load, I64, 3);
  memOp(Op.F32Load, F32, 2);
  memOp(Op.F64Load, F64, 3);
  memOp(Op.I32Load8S, I32, 0);
  memOp(Op.I32Load8U, I32, 0);
  memOp(Op.I32Load16S, I32, 1);
  memOp(Op.I32Load16U, I32, 1);
  memOp(Op.I64Load8S, I64, 0);
  memOp(Op.I64Load8U, I64, 0);
  memOp(Op.I64Load16S, I64, 1);
  memOp(Op.I64Load16U, I64, 1);
  memOp(Op.I64Load32S, I64, 2);
  memOp(Op.I64Load32U, I64, 2);
  memOp(Op.I32Store, I32, 2);
  memOp(Op.I64Store, I64, 3);
  memOp(Op.F32Store, F32, 2);
  memOp(Op.F64Store, F64, 3);
  memOp(Op.I32Store8, I32, 0);
  memOp(Op.I32Store16, I32, 1);
  memOp(Op.I64Store8, I64, 0);
  memOp(Op.I64Store16, I64, 1);
  memOp(Op.I64Store32, I64, 2);
}

// ---- SIMD signature tables (indexed by the sub-opcode after 0xfd) ----

/** Operand types, bottom first, and the result type (0: none). */
const SIMD_IN: Uint8Array[] = [];
const SIMD_OUT = new Uint8Array(0x114); // relaxed SIMD: 0x100..0x113
/** For memory instructions: log2 of the natural alignment. */
const SIMD_ALIGN = new Uint8Array(256);
/** For lane instructions: the number of lanes (a lane index must be below it). */
const SIMD_LANES = new Uint8Array(256);

{
  const { I32, I64, F32, F64, V128 } = {
    I32: ValType.I32,
    I64: ValType.I64,
    F32: ValType.F32,
    F64: ValType.F64,
    V128: ValType.V128,
  };
  const set = (subs: number[], ins: ValType[], out: ValType | 0) => {
    for (const sub of subs) SIMD_IN[sub] = Uint8Array.from(ins), SIMD_OUT[sub] = out;
  };
  const range = (first: number, last: number) =>
    Array.from({ length: last - first + 1 }, (_, i) => first + i);
  // Most instructions are binary v128 operations; the others are listed below.
  set(range(0, 0xff), [V128, V128], V128);
  set([...range(0x00, 0x0a), 0x5c, 0x5d], [I32], V128); // loads
  set([0x0b, ...range(0x58, 0x5b)], [I32, V128], 0); // stores, lane stores
  set(range(0x54, 0x57), [I32, V128], V128); // lane loads
  set([0x0c], [], V128); // v128.const
  set([0x0f, 0x10, 0x11], [I32], V128);
  set([0x12], [I64], V128);
  set([0x13], [F32], V128);
  set([0x14], [F64], V128);
  set([0x15, 0x16, 0x18, 0x19, 0x1b], [V128], I32);
  set([0x1d], [V128], I64);
  set([0x1f], [V128], F32);
  set([0x21], [V128], F64);
  set([0x17, 0x1a, 0x1c], [V128, I32], V128);
  set([0x1e], [V128, I64], V128);
  set([0x20], [V128, F32], V128);
  set([0x22], [V128, F64], V128);
  set([0x52], [V128, V128, V128], V128); // bitselect
  set([0x53, 0x63, 0x64, 0x83, 0x84, 0xa3, 0xa4, 0xc3, 0xc4], [V128], I32); // any_true, all_true, bitmask
  set([0x6b, 0x6c, 0x6d, 0x8b, 0x8c, 0x8d, 0xab, 0xac, 0xad, 0xcb, 0xcc, 0xcd], [V128, I32], V128); // shifts
  const unary = [
    0x4d, // not
    ...range(0x5e, 0x62), // demote, promote, i8x16 abs/neg/popcnt
    ...range(0x67, 0x6a), // f32x4 rounding
    0x74,
    0x75,
    0x7a,
    0x94, // f64x2 rounding
    ...range(0x7c, 0x7f), // extadd_pairwise
    0x80,
    0x81,
    ...range(0x87, 0x8a), // i16x8 abs/neg/extend
    0xa0,
    0xa1,
    ...range(0xa7, 0xaa), // i32x4
    0xc0,
    0xc1,
    ...range(0xc7, 0xca), // i64x2
    0xe0,
    0xe1,
    0xe3,
    0xec,
    0xed,
    0xef, // float abs/neg/sqrt
    ...range(0xf8, 0xff), // conversions
  ];
  set(unary, [V128], V128);
  // Relaxed SIMD: swizzle, min/max, q15mulr and dot are binary; the truncations unary; madd/nmadd,
  // laneselect and dot_add take three.
  set([0x100, ...range(0x10d, 0x112)], [V128, V128], V128);
  set(range(0x101, 0x104), [V128], V128);
  set([...range(0x105, 0x10c), 0x113], [V128, V128, V128], V128);

  const align = (subs: number[], log2: number) => subs.forEach((sub) => SIMD_ALIGN[sub] = log2);
  align([0x00, 0x0b], 4);
  align([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0a, 0x57, 0x5b, 0x5d], 3);
  align([0x07, 0x54, 0x58], 0);
  align([0x08, 0x55, 0x59], 1);
  align([0x09, 0x56, 0x5a, 0x5c], 2);

  const lanes = (subs: number[], n: number) => subs.forEach((sub) => SIMD_LANES[sub] = n);
  lanes([0x15, 0x16, 0x17, 0x54, 0x58], 16);
  lanes([0x18, 0x19, 0x1a, 0x55, 0x59], 8);
  lanes([0x1b, 0x1c, 0x1f, 0x20, 0x56, 0x5a], 4);
  lanes([0x1d, 0x1e, 0x21, 0x22, 0x57, 0x5b], 2);
}

/** A list of value types (parameters, results, locals, the operand stack): numbers beyond a byte. */
type Types = Int32Array;
const NO_TYPES: Types = new Int32Array(0);
/** One-element result lists for the value-type block types, indexed by the type's code. */
const SINGLE = new Array<Types>(256);
for (
  const t of [
    ValType.I32,
    ValType.I64,
    ValType.F32,
    ValType.F64,
    ValType.V128,
    ValType.FuncRef,
    ValType.ExternRef,
  ]
) SINGLE[t] = Int32Array.of(t);

/** One-element result lists for the reference types of block types beyond a byte, made as met. */
const SINGLE_REFS = new Map<number, Types>();

/**
 * The opcodes the fast path of `BodyValidator.body` uses (their binary encodings, as in `Op`). They are
 * a const enum of this file because TypeScript inlines only those: the imported `Op` is an object at
 * run time, so a `switch` on its members is a chain of property loads and compares, where literal
 * cases make a jump table (this alone made validation 1.3x faster).
 */
const enum Code {
  Unreachable = 0x00,
  Nop = 0x01,
  Block = 0x02,
  Loop = 0x03,
  If = 0x04,
  End = 0x0b,
  Br = 0x0c,
  BrIf = 0x0d,
  Return = 0x0f,
  Call = 0x10,
  CallIndirect = 0x11,
  Drop = 0x1a,
  Select = 0x1b,
  LocalGet = 0x20,
  LocalSet = 0x21,
  LocalTee = 0x22,
  GlobalGet = 0x23,
  GlobalSet = 0x24,
  I32Load = 0x28,
  I64Load32U = 0x35,
  I64Store32 = 0x3e,
  I32Const = 0x41,
  I64Const = 0x42,
  F32Const = 0x43,
  F64Const = 0x44,
}

/** `ValType`'s values, for the same reason. */
const enum Type {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
}

const enum Frame {
  Func,
  Block,
  Loop,
  If,
  Else,
  /** `try_table` (a block whose catch clauses were checked at its start). */
  TryTable,
  /** The legacy `try`'s body, then its `catch` and `catch_all` handlers. */
  Try,
  Catch,
  CatchAll,
}

/** `(ref null eq)`: what `ref.eq` compares. */
const EQREF = refType(HeapType.Eq, true);

function isPacked(t: number): boolean {
  return t === Packed.I8 || t === Packed.I16;
}

/** How the reference interpreter names a type that is not of the kind an instruction needs. */
const KIND_NAMES = ["function", "structure", "array"];

/** What `catch_ref` and `catch_all_ref` hand their label: the caught exception, never null. */
const CAUGHT_EXN = refType(HeapType.Exn, false);

function sameTypes(a: Types, b: Types): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class ModuleValidator {
  readonly bytes: Uint8Array;
  /** Parameter and result lists of every type, as typed arrays for the body checker. */
  readonly typeParams: Types[] = [];
  readonly typeResults: Types[] = [];
  /** Each type's canonical id: equal ids for equivalent types (structurally, iso-recursively). */
  readonly canon: number[] = [];
  readonly funcCount: number;
  /** C.refs: functions referenced outside function bodies, which `ref.func` may name. */
  readonly declared: Uint8Array;

  constructor(readonly m: ModuleInfo) {
    this.bytes = m.bytes;
    this.funcCount = m.funcTypeIndices.length;
    this.declared = new Uint8Array(this.funcCount);
    for (const t of m.types) {
      this.typeParams.push(Int32Array.from(t.params));
      this.typeResults.push(Int32Array.from(t.results));
    }
  }

  /**
   * `actual` matches `expected` (is a subtype of it): equal, the unknown type of a polymorphic stack,
   * or a reference type whose nullability and heap type fit (a function type under `func`, the bottoms
   * `nofunc`, `noextern`, `noexn` under their hierarchy, equivalent type indices).
   */
  matches(actual: number, expected: number): boolean {
    if (actual === expected || actual === UNKNOWN) return true;
    if (!isRefType(actual) || !isRefType(expected)) return false;
    if (isNullable(actual) && !isNullable(expected)) return false;
    const a = heapOf(actual), e = heapOf(expected);
    return a === e || heapMatches(this.canonHeap(a), this.canonHeap(e));
  }

  /** Heap type `heap` with a type index replaced by `TYPE_HEAP` + its canonical id (see type_canon.ts). */
  canonHeap(heap: number): number {
    return heap < TYPE_HEAP ? heap : TYPE_HEAP + this.canon[heap - TYPE_HEAP];
  }

  /** Fails unless every type index value type `t` names is below `types` (a type's own group and before). */
  checkValType(t: number, types = this.m.types.length, at?: number): void {
    const x = typeIndexOf(t);
    if (x >= types) fail(`unknown type ${x}`, at);
  }

  /**
   * Each type refers only to types of its own recursion group and earlier ones; a declared supertype
   * comes before the type, is not final, is of the same kind and the type matches it (function
   * parameters contravariant and results covariant, struct fields a prefix, an immutable field
   * covariant and a mutable one invariant). Then their canonical ids.
   */
  checkTypes(): void {
    const types = this.m.types;
    types.forEach((t, i) => {
      const limit = t.group + t.groupSize;
      for (const v of t.params) this.checkValType(v, limit);
      for (const v of t.results) this.checkValType(v, limit);
      for (const f of t.fields) {
        if (f.type !== Packed.I8 && f.type !== Packed.I16) this.checkValType(f.type, limit);
      }
      if (t.supertype >= 0 && t.supertype >= i) fail(`unknown type ${t.supertype}`);
    });
    this.canon.push(...canonicalTypeIds(types));
    types.forEach((t) => {
      if (t.supertype < 0) return;
      const s = types[t.supertype];
      if (s.final || s.kind !== t.kind || !this.extendsType(t, s)) fail("sub type");
    });
  }

  /** Whether defined type `t`'s composite type matches `s`'s (same kind), field by field. */
  extendsType(t: DefType, s: DefType): boolean {
    const field = (a: FieldType, b: FieldType) =>
      a.mutable === b.mutable &&
      (a.mutable
        ? a.type === b.type || (this.matches(a.type, b.type) && this.matches(b.type, a.type))
        : a.type === b.type || this.matches(a.type, b.type));
    switch (t.kind) {
      case TypeKind.Func:
        return t.params.length === s.params.length && t.results.length === s.results.length &&
          t.params.every((p, i) => this.matches(s.params[i], p)) &&
          t.results.every((r, i) => this.matches(r, s.results[i]));
      case TypeKind.Struct:
        return t.fields.length >= s.fields.length && s.fields.every((f, i) => field(t.fields[i], f));
      case TypeKind.Array:
        return field(t.fields[0], s.fields[0]);
    }
  }

  /** Fails unless type `index` exists and is a `kind` type: a function, struct or array type. */
  typeOfKind(index: number, kind: TypeKind, at?: number): DefType {
    const t = this.m.types[index];
    if (t === undefined) fail(`unknown type ${index}`, at);
    if (t.kind !== kind) fail(`non-${KIND_NAMES[kind]} type ${index}`, at);
    return t;
  }

  run(): void {
    const m = this.m;
    this.checkTypes();
    for (const g of m.globalTypes) this.checkValType(g.type);
    for (const imp of m.imports) {
      if (imp.desc.kind === ExternKind.Func) this.checkTypeIndex(imp.desc.typeIndex);
    }
    for (const f of m.funcs) this.checkTypeIndex(f.typeIndex);
    for (const t of m.tags) {
      this.checkTypeIndex(t);
      if (this.typeResults[t].length !== 0) fail("non-empty tag result type");
    }
    m.tables.forEach((t, i) => this.checkTable(t, i < m.importedTableCount));
    for (const mem of m.memories) {
      const { min, max, address64 } = mem.limits;
      const most = address64 ? MAX_PAGES_64 : MAX_PAGES;
      if (min > most || (max !== undefined && max > most)) {
        fail(
          address64
            ? "memory size must be at most 2^48 pages"
            : "memory size must be at most 65536 pages (4GiB)",
        );
      }
      if (max !== undefined && min > max) fail("size minimum must not be greater than maximum");
    }
    m.globals.forEach((g, i) => this.checkConstExpr(g.init, g.type.type, m.importedGlobalCount + i));
    this.checkElems();
    for (const d of m.datas) {
      if (d.mode !== SegmentMode.Active) continue;
      if (d.memory >= m.memories.length) fail(`unknown memory ${d.memory}`);
      this.checkConstExpr(d.offset!, m.memories[d.memory].limits.address64 ? ValType.I64 : ValType.I32);
    }
    if (m.start !== undefined) {
      const f = this.funcType(m.start);
      if (this.typeParams[f].length !== 0 || this.typeResults[f].length !== 0) fail("start function");
    }
    this.checkExports();
    this.collectDeclaredRefs();
    const body = new BodyValidator(this);
    for (let i = 0; i < m.funcs.length; i++) body.validate(m.funcs[i]);
  }

  /** Fails unless function type `index` exists. */
  checkTypeIndex(index: number): void {
    this.typeOfKind(index, TypeKind.Func);
  }

  /** The type index of function `index`, failing if there is no such function. */
  funcType(index: number, at?: number): number {
    if (index >= this.funcCount) fail(`unknown function ${index}`, at);
    return this.m.funcTypeIndices[index];
  }

  table(index: number, at?: number): TableType {
    if (index >= this.m.tables.length) fail(`unknown table ${index}`, at);
    return this.m.tables[index];
  }

  checkTable(t: TableType, imported = false): void {
    const { min, max } = t.limits;
    if (max !== undefined && min > max) fail("size minimum must not be greater than maximum");
    this.checkValType(t.elem);
    // Elements start as null unless there is an initialiser: a non-null element type needs one.
    // Tables come before globals: an initialiser reads only imported globals.
    if (t.init) this.checkConstExpr(t.init, t.elem, this.m.importedGlobalCount);
    else if (!imported && !isNullable(t.elem)) fail("type mismatch");
  }

  /** C.refs: every function named outside function bodies (exports, element segments, globals). */
  collectDeclaredRefs(): void {
    const m = this.m;
    for (const e of m.exports) {
      if (e.kind === ExternKind.Func && e.index < this.funcCount) this.declared[e.index] = 1;
    }
    for (const seg of m.elems) {
      for (const f of seg.funcIndices ?? []) if (f < this.funcCount) this.declared[f] = 1;
      for (const e of seg.init) this.declareRefs(e);
    }
    for (const g of m.globals) this.declareRefs(g.init);
  }

  checkElems(): void {
    for (const seg of this.m.elems) {
      this.checkValType(seg.type);
      if (seg.mode === SegmentMode.Active) {
        const t = this.table(seg.table);
        if (!this.matches(seg.type, t.elem)) fail("type mismatch");
        this.checkConstExpr(seg.offset!, addressOf(t));
      }
      for (const f of seg.funcIndices ?? []) this.funcType(f);
      for (const e of seg.init) this.checkConstExpr(e, seg.type);
    }
  }

  /** Marks the functions that `ref.func` instructions in a constant expression name. */
  declareRefs(e: ConstExpr): void {
    for (const i of e.instrs) {
      if (i.kind === "ref.func" && i.index < this.funcCount) this.declared[i.index] = 1;
    }
  }

  /**
   * Types a constant expression. The decoder let only constant instructions through; here they are
   * typed, and `global.get` may read an immutable global below `globals` (the 3.0 rule: a global's
   * initialiser sees the imported globals and the module's earlier ones; segments see them all).
   */
  checkConstExpr(e: ConstExpr, expected: ValType, globals = this.m.globalTypes.length): void {
    const m = this.m;
    const stack: number[] = [];
    for (const i of e.instrs) {
      switch (i.kind) {
        case "value":
          stack.push(i.type);
          break;
        case "ref.null":
          this.checkValType(i.type, undefined, i.at);
          stack.push(i.type);
          break;
        case "ref.func":
          stack.push(refType(TYPE_HEAP + this.funcType(i.index, i.at), false)); // (ref $t)
          break;
        case "global.get": {
          const g = i.index;
          if (g >= globals) fail(`unknown global ${g}`, i.at);
          if (m.globalTypes[g].mutable) fail("constant expression required", i.at);
          stack.push(m.globalTypes[g].type);
          break;
        }
        case "arith":
          if (stack.pop() !== i.type || stack.pop() !== i.type) fail("type mismatch", i.at);
          stack.push(i.type);
          break;
        case "gc":
          stack.push(this.constGc(i, stack));
          break;
      }
    }
    if (stack.length !== 1 || !this.matches(stack[0], expected)) fail("type mismatch", e.end);
  }

  /** Types a GC constant instruction with operands `stack` (popped): its result type. */
  constGc(i: Extract<ConstInstr, { kind: "gc" }>, stack: number[]): number {
    const pop = (t: number) => {
      const v = stack.pop();
      if (v === undefined || !this.matches(v, t)) fail("type mismatch", i.at);
      return v;
    };
    switch (i.op) {
      case GcOp.RefI31:
        pop(ValType.I32);
        return refType(HeapType.I31, false);
      case GcOp.AnyConvertExtern:
        return refType(HeapType.Any, isNullable(pop(refType(HeapType.Extern, true))));
      case GcOp.ExternConvertAny:
        return refType(HeapType.Extern, isNullable(pop(refType(HeapType.Any, true))));
    }
    const struct = i.op === GcOp.StructNew || i.op === GcOp.StructNewDefault;
    const t = this.typeOfKind(i.index, struct ? TypeKind.Struct : TypeKind.Array, i.at);
    switch (i.op) {
      case GcOp.StructNew:
        for (let k = t.fields.length - 1; k >= 0; k--) pop(unpackedType(t.fields[k].type));
        break;
      case GcOp.StructNewDefault:
        if (!t.fields.every((f) => isDefaultable(f.type as ValType))) fail("type mismatch", i.at);
        break;
      case GcOp.ArrayNew:
        pop(ValType.I32);
        pop(unpackedType(t.fields[0].type));
        break;
      case GcOp.ArrayNewDefault:
        pop(ValType.I32);
        if (!isDefaultable(t.fields[0].type as ValType)) fail("type mismatch", i.at);
        break;
      case GcOp.ArrayNewFixed:
        for (let k = 0; k < i.count; k++) pop(unpackedType(t.fields[0].type));
        break;
    }
    return refType(TYPE_HEAP + i.index, false);
  }

  checkExports(): void {
    const m = this.m;
    const seen = new Set<string>();
    for (const e of m.exports) {
      switch (e.kind) {
        case ExternKind.Func:
          this.funcType(e.index);
          break;
        case ExternKind.Table:
          this.table(e.index);
          break;
        case ExternKind.Memory:
          if (e.index >= m.memories.length) fail(`unknown memory ${e.index}`);
          break;
        case ExternKind.Global:
          if (e.index >= m.globalTypes.length) fail(`unknown global ${e.index}`);
          break;
        case ExternKind.Tag:
          if (e.index >= m.tags.length) fail(`unknown tag ${e.index}`);
          break;
      }
      if (seen.has(e.name)) fail("duplicate export name");
      seen.add(e.name);
    }
  }
}

/** Checks and skips a signed 64-bit LEB128 without building a BigInt (same rules as `Reader.s64`). */
function skipS64(r: Reader): void {
  const bytes = r.bytes;
  let pos = r.pos;
  for (let i = 0; i < 10; i++) {
    if (pos >= r.end) r.unexpectedEnd(pos);
    const b = bytes[pos++];
    if (i === 9) {
      if (b & 0x80) r.fail("integer representation too long", pos - 1);
      if (b !== 0 && b !== 0x7f) r.fail("integer too large", pos - 1);
      break;
    }
    if (!(b & 0x80)) break;
  }
  r.pos = pos;
}

/** The type of a table's indices and sizes: i64 for a 64-bit table (table64). */
function addressOf(table: TableType): ValType {
  return table.limits.address64 ? ValType.I64 : ValType.I32;
}

/** Checks function bodies. One instance per module; its stacks are reused for every function. */
class BodyValidator {
  readonly m: ModuleInfo;
  readonly bytes: Uint8Array;
  readonly r: Reader;
  /** Memory 0 exists and has 32-bit addresses: the fast path's loads and stores. */
  readonly memory0Is32: boolean;

  // Operand stack.
  vals: Types = new Int32Array(1024);
  sp = 0;
  // Control stack, as parallel arrays; the top frame's height is cached. `unreachables[d]` is 1 once
  // frame d's code is unreachable: its stack is then polymorphic below the frame's height.
  kinds = new Uint8Array(64);
  heights = new Int32Array(64);
  unreachables = new Uint8Array(64);
  params: Types[] = new Array(64);
  results: Types[] = new Array(64);
  depth = 0;
  height = 0;
  /** Scratch space for br_table's pop-and-push-back of label types. */
  scratch: Types = new Int32Array(64);

  /** Types of the current function's locals, parameters first: a buffer reused across functions. */
  locals: Types = new Int32Array(64);
  localCount = 0;
  /**
   * The function has locals without a default value (non-null references): `inits[i]` is 1 once
   * local i is set, `setLocals` lists those set since, and a block's end unsets those set inside it
   * (from `initMarks[d]` on). Such functions skip the fast path, which does not track this.
   */
  strict = false;
  inits = new Uint8Array(64);
  setLocals: number[] = [];
  initMarks = new Int32Array(64);
  /** Offset of the instruction being checked, for error messages. */
  at = 0;

  constructor(readonly mv: ModuleValidator) {
    this.m = mv.m;
    this.bytes = mv.bytes;
    this.r = new Reader(this.bytes);
    this.r.section = true; // it reads function bodies: running out is "of section or function"
    this.memory0Is32 = this.m.memories.length > 0 && !this.m.memories[0].limits.address64;
  }

  fail(message: string): never {
    throw new CompileError(message, this.at);
  }

  // ---- Operand stack ----

  push(t: number): void {
    if (this.sp === this.vals.length) {
      const grown = new Int32Array(this.vals.length * 2);
      grown.set(this.vals);
      this.vals = grown;
    }
    this.vals[this.sp++] = t;
  }

  /** Pops any value; returns UNKNOWN when the stack is polymorphic (after unreachable code). */
  popAny(): number {
    if (this.sp === this.height) {
      if (this.unreachables[this.depth - 1] === 1) return UNKNOWN;
      this.fail("type mismatch");
    }
    return this.vals[--this.sp];
  }

  pop(expected: number): number {
    if (this.sp === this.height) {
      if (this.unreachables[this.depth - 1] === 1) return UNKNOWN;
      this.fail("type mismatch");
    }
    const actual = this.vals[--this.sp];
    if (actual !== expected && !this.mv.matches(actual, expected)) this.fail("type mismatch");
    return actual;
  }

  popList(types: Types): void {
    for (let i = types.length - 1; i >= 0; i--) this.pop(types[i]);
  }

  pushList(types: Types): void {
    for (let i = 0; i < types.length; i++) this.push(types[i]);
  }

  /** An `if` without `else`: its parameters are its results when the condition is false. */
  passesThrough(params: Types, results: Types): boolean {
    return params.length === results.length && params.every((t, i) => this.mv.matches(t, results[i]));
  }

  // ---- Control stack ----

  pushFrame(kind: Frame, params: Types, results: Types): void {
    const d = this.depth;
    if (d === this.kinds.length) this.growFrames();
    this.kinds[d] = kind;
    this.heights[d] = this.sp;
    this.initMarks[d] = this.setLocals.length;
    this.unreachables[d] = 0;
    this.params[d] = params;
    this.results[d] = results;
    this.depth = d + 1;
    this.height = this.sp;
    this.pushList(params);
  }

  growFrames(): void {
    const n = this.kinds.length * 2;
    const kinds = new Uint8Array(n), heights = new Int32Array(n), unreachables = new Uint8Array(n);
    const initMarks = new Int32Array(n);
    kinds.set(this.kinds);
    heights.set(this.heights);
    unreachables.set(this.unreachables);
    initMarks.set(this.initMarks);
    this.initMarks = initMarks;
    this.kinds = kinds;
    this.heights = heights;
    this.unreachables = unreachables;
  }

  /** Checks the top frame's results are on the stack, exactly, and removes the frame. */
  popFrame(): void {
    const d = this.depth - 1;
    this.popList(this.results[d]);
    if (this.sp !== this.height) this.fail("type mismatch");
    if (this.strict) {
      const marks = this.initMarks[d], set = this.setLocals;
      while (set.length > marks) this.inits[set.pop()!] = 0;
    }
    this.depth = d;
    if (d > 0) {
      this.height = this.heights[d - 1];
    }
  }

  setUnreachable(): void {
    this.sp = this.height;
    this.unreachables[this.depth - 1] = 1;
  }

  /** The types a branch to relative label `l` carries. */
  labelTypes(l: number): Types {
    if (l >= this.depth) this.fail("unknown label");
    const d = this.depth - 1 - l;
    return this.kinds[d] === Frame.Loop ? this.params[d] : this.results[d];
  }

  // ---- Immediates ----

  /** Block type: 0x40, a value type, or a non-negative s33 type index. Sets `btParams`/`btResults`. */
  btParams: Types = NO_TYPES;
  btResults: Types = NO_TYPES;
  readBlockType(): void {
    const r = this.r;
    if (r.pos >= r.end) r.unexpectedEnd();
    const b = this.bytes[r.pos];
    if (b >= 0x40 && b < 0x80) {
      this.btParams = NO_TYPES;
      if (b === 0x40 || SINGLE[b] !== undefined) {
        r.pos++;
        this.btResults = b === 0x40 ? NO_TYPES : SINGLE[b];
        return;
      }
      const t = this.readValType(); // a reference type
      let single = SINGLE_REFS.get(t);
      if (single === undefined) SINGLE_REFS.set(t, single = Int32Array.of(t));
      this.btResults = single;
      return;
    }
    const index = r.s33();
    if (index < 0) this.fail("malformed block type");
    this.mv.typeOfKind(index, TypeKind.Func, this.at);
    this.btParams = this.mv.typeParams[index];
    this.btResults = this.mv.typeResults[index];
  }

  /**
   * A memarg for an access of natural alignment 2^maxAlign: the flags (bit 6: a memory index
   * follows), the offset (a u64, below 2^32 for a 32-bit memory). Returns the memory's address type.
   */
  memarg(maxAlign: number): ValType {
    const r = this.r;
    const flags = r.u32();
    if (flags >= 128) this.fail("malformed memop flags");
    const memory = flags & 0x40 ? r.u32() : 0;
    const address = this.memoryAddress(memory);
    const offset = r.u64();
    if ((flags & 0x3f) > maxAlign) this.fail("alignment must not be larger than natural");
    if (address === ValType.I32 && offset >= 2 ** 32) this.fail("offset out of range");
    return address;
  }

  /** The address type (i32, or i64 for a 64-bit memory) of memory `index`, failing if there is none. */
  memoryAddress(index: number): ValType {
    const memories = this.m.memories;
    if (index >= memories.length) this.fail(`unknown memory ${index}`);
    return memories[index].limits.address64 ? ValType.I64 : ValType.I32;
  }

  /** A memory index immediate (a zero byte before multiple memories): its address type. */
  memoryIndex(): ValType {
    return this.memoryAddress(this.r.u32());
  }

  /** Local i is set from here to the end of the current block. */
  initialized(i: number): void {
    if (this.strict && this.inits[i] === 0) this.inits[i] = 1, this.setLocals.push(i);
  }

  /** A type index immediate (`call_ref`), failing when there is no such type. */
  readTypeIndex(): number {
    const t = this.r.u32();
    this.mv.typeOfKind(t, TypeKind.Func, this.at);
    return t;
  }

  readLocalIndex(): number {
    const i = this.r.u32();
    if (i >= this.localCount) this.fail(`unknown local ${i}`);
    return i;
  }

  readGlobalIndex(): number {
    const g = this.r.u32();
    if (g >= this.m.globalTypes.length) this.fail(`unknown global ${g}`);
    return g;
  }

  readTable(): TableType {
    return this.mv.table(this.r.u32(), this.at);
  }

  /** The element type of segment `e`. */
  elemType(e: number): number {
    if (e >= this.m.elems.length) this.fail(`unknown elem segment ${e}`);
    return this.m.elems[e].type;
  }

  readDataIndex(): void {
    const d = this.r.u32();
    const count = this.m.dataCount;
    if (count === undefined) {
      // Without the section the index cannot be checked in one pass; name the clearer problem.
      if (d >= this.m.datas.length) this.fail(`unknown data segment ${d}`);
      this.fail("data count section required");
    }
    if (d >= count) this.fail(`unknown data segment ${d}`);
  }

  /** A heap type immediate (`ref.null`): its nullable reference type. */
  readNullType(): number {
    const at = this.r.pos;
    const t = refType(readHeapType(this.r), true);
    this.mv.checkValType(t, undefined, at);
    return t;
  }

  readValType(): number {
    const at = this.r.pos;
    const t = readValType(this.r);
    this.mv.checkValType(t, undefined, at);
    return t;
  }

  // ---- Bodies ----

  validate(f: FuncBody): void {
    const mv = this.mv;
    const params = mv.typeParams[f.typeIndex];
    const declared = f.locals;
    const n = params.length + declared.length;
    if (this.locals.length < n) this.locals = new Int32Array(Math.max(n, 2 * this.locals.length));
    const locals = this.locals;
    for (let i = 0; i < params.length; i++) locals[i] = params[i];
    let strict = false;
    for (let i = 0; i < declared.length; i++) {
      const t = declared[i];
      locals[params.length + i] = t;
      if (t >= REF_BASE) { // typed references: a type index to check, maybe no default value
        mv.checkValType(t, undefined, f.codeStart);
        if (!isDefaultable(t)) strict = true;
      }
    }
    this.strict = strict;
    if (strict) {
      // Which locals are set: a non-defaultable one must be before it is read (until its block ends).
      if (this.inits.length < n) this.inits = new Uint8Array(Math.max(n, 2 * this.inits.length));
      for (let i = 0; i < n; i++) this.inits[i] = isDefaultable(locals[i]) || i < params.length ? 1 : 0;
      this.setLocals.length = 0;
    }
    this.localCount = n;
    this.sp = 0;
    this.depth = 0;
    this.height = 0;
    this.pushFrame(Frame.Func, NO_TYPES, mv.typeResults[f.typeIndex]);
    const r = this.r;
    r.pos = f.codeStart;
    r.end = f.codeEnd;
    this.body(f.codeEnd);
  }

  /**
   * Checks the instructions of a body. This loop is a fast path for the common case: short immediates
   * and operands of exactly the expected types on the stack. It keeps the state in locals, checks
   * everything first and commits only when the instruction is certainly valid. Anything else (operands
   * of unknown type, an error, a rare instruction) goes to `step`, the general checker, which starts
   * again at the opcode: errors, their messages and offsets come from that one general algorithm.
   */
  body(end: number): void {
    const r = this.r, bytes = this.bytes, mv = this.mv, m = this.m;
    const locals = this.locals, localCount = this.localCount;
    const funcTypes = m.funcTypeIndices, funcCount = mv.funcCount;
    const typeParams = mv.typeParams, typeResults = mv.typeResults;
    const globals = m.globalTypes, tables = m.tables;
    const memory0Is32 = this.memory0Is32;
    const params = this.params, results = this.results;
    let vals = this.vals, kinds = this.kinds, heights = this.heights, unreachables = this.unreachables;
    // `| 0` wherever these are loaded from fields: it keeps them untagged int32s in registers.
    let pos = r.pos | 0, sp = this.sp | 0, height = this.height | 0, depth = this.depth | 0;
    const fast = !this.strict;
    for (;;) {
      if (pos >= end) {
        this.at = pos;
        this.fail("END opcode expected");
      }
      const op = bytes[pos];
      switch (fast ? op : -1) {
        case -1: // a function with non-defaultable locals: all of it on the general path
          break;
        case Code.LocalGet: {
          // A one-byte index (0x80 stands for "past the end": it is never one).
          const i = pos + 1 < end ? bytes[pos + 1] : 0x80;
          if (i < 0x80 && i < localCount && sp < vals.length) {
            vals[sp++] = locals[i];
            pos += 2;
            continue;
          }
          break;
        }
        case Code.LocalSet: {
          const i = pos + 1 < end ? bytes[pos + 1] : 0x80;
          if (i < 0x80 && i < localCount && sp > height && vals[sp - 1] === locals[i]) {
            sp--;
            pos += 2;
            continue;
          }
          break;
        }
        case Code.LocalTee: {
          const i = pos + 1 < end ? bytes[pos + 1] : 0x80;
          if (i < 0x80 && i < localCount && sp > height && vals[sp - 1] === locals[i]) {
            pos += 2;
            continue;
          }
          break;
        }
        case Code.I32Const: {
          const n = s32Length(bytes, pos + 1, end);
          if (n !== 0 && sp < vals.length) {
            vals[sp++] = Type.I32;
            pos += 1 + n;
            continue;
          }
          break;
        }
        case Code.I64Const: {
          const n = s64Length(bytes, pos + 1, end);
          if (n !== 0 && sp < vals.length) {
            vals[sp++] = Type.I64;
            pos += 1 + n;
            continue;
          }
          break;
        }
        case Code.F32Const:
          if (pos + 5 <= end && sp < vals.length) {
            vals[sp++] = Type.F32;
            pos += 5;
            continue;
          }
          break;
        case Code.F64Const:
          if (pos + 9 <= end && sp < vals.length) {
            vals[sp++] = Type.F64;
            pos += 9;
            continue;
          }
          break;
        case Code.Call: {
          const f = u32At(bytes, pos + 1, end);
          if (f < 0 || f >= funcCount) break;
          const t = funcTypes[f];
          const ins = typeParams[t], outs = typeResults[t];
          const base = sp - ins.length;
          if (!onTop(vals, sp, height, ins) || base + outs.length > vals.length) break;
          for (let k = 0; k < outs.length; k++) vals[base + k] = outs[k];
          sp = base + outs.length;
          pos = u32End | 0;
          continue;
        }
        case Code.CallIndirect: {
          const t = u32At(bytes, pos + 1, end);
          if (t < 0 || t >= typeParams.length || m.types[t].kind !== TypeKind.Func) break;
          const table = u32At(bytes, u32End, end);
          if (table < 0 || table >= tables.length || (tables[table].elem as number) !== Type.FuncRef) break;
          const ins = typeParams[t], outs = typeResults[t];
          const base = sp - 1 - ins.length;
          if (sp === height || vals[sp - 1] !== Type.I32 || !onTop(vals, sp - 1, height, ins)) break;
          if (base + outs.length > vals.length) break;
          for (let k = 0; k < outs.length; k++) vals[base + k] = outs[k];
          sp = base + outs.length;
          pos = u32End | 0;
          continue;
        }
        case Code.Block:
        case Code.Loop:
        case Code.If: {
          // Value-type block types only: no parameters to check.
          if (pos + 1 >= end || depth === kinds.length) break;
          const b = bytes[pos + 1];
          const types = b === 0x40 ? NO_TYPES : SINGLE[b];
          if (types === undefined) break;
          let base = sp;
          if (op === Code.If) {
            if (sp === height || vals[sp - 1] !== Type.I32) break;
            base--;
          }
          kinds[depth] = op === Code.Block ? Frame.Block : op === Code.Loop ? Frame.Loop : Frame.If;
          heights[depth] = base;
          unreachables[depth] = 0;
          params[depth] = NO_TYPES;
          results[depth] = types;
          depth++;
          sp = height = base;
          pos += 2;
          continue;
        }
        case Code.End: {
          // The results are on the stack, exactly: they stay where they are, for the enclosing frame.
          const d = depth - 1;
          const outs = results[d];
          if (sp !== height + outs.length || !onTop(vals, sp, height, outs)) break;
          if (d === 0) {
            if (pos + 1 !== end) break;
            return;
          }
          if (kinds[d] === Frame.If && !sameTypes(params[d], outs)) break;
          depth = d;
          height = heights[d - 1];
          pos++;
          continue;
        }
        case Code.Br:
        case Code.BrIf: {
          const l = pos + 1 < end ? bytes[pos + 1] : 0x80;
          if (l >= 0x80 || l >= depth) break;
          const d = depth - 1 - l;
          const types = kinds[d] === Frame.Loop ? params[d] : results[d];
          if (op === Code.BrIf) {
            if (sp === height || vals[sp - 1] !== Type.I32 || !onTop(vals, sp - 1, height, types)) break;
            sp--;
          } else {
            if (!onTop(vals, sp, height, types)) break;
            sp = height;
            unreachables[depth - 1] = 1;
          }
          pos += 2;
          continue;
        }
        case Code.Return:
          if (!onTop(vals, sp, height, results[0])) break;
          sp = height;
          unreachables[depth - 1] = 1;
          pos++;
          continue;
        case Code.Unreachable:
          sp = height;
          unreachables[depth - 1] = 1;
          pos++;
          continue;
        case Code.Nop:
          pos++;
          continue;
        case Code.Drop:
          if (sp === height) break;
          sp--;
          pos++;
          continue;
        case Code.Select: {
          // Two operands of the same numeric type (0x7b..0x7f: v128, f64, f32, i64, i32) and an i32.
          const t = vals[sp - 2];
          if (sp - 3 < height || vals[sp - 1] !== Type.I32 || vals[sp - 3] !== t) break;
          if (t < Type.V128 || t > Type.I32) break;
          sp -= 2;
          pos++;
          continue;
        }
        case Code.GlobalGet: {
          const g = u32At(bytes, pos + 1, end);
          if (g < 0 || g >= globals.length || sp === vals.length) break;
          vals[sp++] = globals[g].type;
          pos = u32End | 0;
          continue;
        }
        case Code.GlobalSet: {
          const g = u32At(bytes, pos + 1, end);
          if (g < 0 || g >= globals.length || sp === height) break;
          const global = globals[g];
          if (!global.mutable || vals[sp - 1] !== global.type) break;
          sp--;
          pos = u32End | 0;
          continue;
        }
        default: {
          // Plain numeric instructions, table-driven.
          const out = SIG_OUT[op];
          if (out !== 0) {
            const below = SIG_BELOW[op];
            if (below === 0) {
              if (sp === height || vals[sp - 1] !== SIG_TOP[op]) break;
              vals[sp - 1] = out;
            } else {
              if (sp - 2 < height || vals[sp - 1] !== SIG_TOP[op] || vals[sp - 2] !== below) break;
              vals[sp - 2] = out;
              sp--;
            }
            pos++;
            continue;
          }
          // Loads and stores: a one-byte alignment, then the offset.
          if (op >= Code.I32Load && op <= Code.I64Store32) {
            const align = pos + 1 < end ? bytes[pos + 1] : 0x80;
            if (align > MEM_ALIGN[op] || !memory0Is32) break;
            const n = u32Length(bytes, pos + 2, end);
            if (n === 0) break;
            const type = MEM_TYPE[op];
            if (op <= Code.I64Load32U) {
              if (sp === height || vals[sp - 1] !== Type.I32) break;
              vals[sp - 1] = type;
            } else {
              if (sp - 2 < height || vals[sp - 1] !== type || vals[sp - 2] !== Type.I32) break;
              sp -= 2;
            }
            pos += 2 + n;
            continue;
          }
        }
      }
      // The general path, from the opcode on.
      this.sp = sp;
      this.height = height;
      this.depth = depth;
      r.pos = pos + 1;
      this.at = pos;
      if (this.step(op, pos, end)) return;
      pos = r.pos | 0;
      sp = this.sp | 0;
      height = this.height | 0;
      depth = this.depth | 0;
      vals = this.vals;
      kinds = this.kinds;
      heights = this.heights;
      unreachables = this.unreachables;
    }
  }

  /** Checks one instruction in general; `r` is past the opcode. Returns true after the function's final `end`. */
  step(op: number, at: number, end: number): boolean {
    const r = this.r;
    const m = this.m;
    // Plain numeric instructions, table-driven.
    const out = SIG_OUT[op];
    if (out !== 0) {
      this.pop(SIG_TOP[op]);
      const below = SIG_BELOW[op];
      if (below !== 0) this.pop(below);
      this.push(out);
      return false;
    }
    // Loads and stores.
    if (op >= Op.I32Load && op <= Op.I64Store32) {
      const address = this.memarg(MEM_ALIGN[op]);
      if (op <= Op.I64Load32U) {
        this.pop(address);
        this.push(MEM_TYPE[op]);
      } else {
        this.pop(MEM_TYPE[op]);
        this.pop(address);
      }
      return false;
    }

    switch (op) {
      case Op.Unreachable:
        this.setUnreachable();
        break;
      case Op.Nop:
        break;
      case Op.Block:
      case Op.Loop:
        this.readBlockType();
        this.popList(this.btParams);
        this.pushFrame(op === Op.Block ? Frame.Block : Frame.Loop, this.btParams, this.btResults);
        break;
      case Op.If:
        this.readBlockType();
        this.pop(ValType.I32);
        this.popList(this.btParams);
        this.pushFrame(Frame.If, this.btParams, this.btResults);
        break;
      case Op.Else: {
        const d = this.depth - 1;
        if (this.kinds[d] !== Frame.If) this.fail("else without if");
        const params = this.params[d], results = this.results[d];
        this.popFrame();
        this.pushFrame(Frame.Else, params, results);
        break;
      }
      case Op.End: {
        const d = this.depth - 1;
        const results = this.results[d];
        if (this.kinds[d] === Frame.If && !this.passesThrough(this.params[d], results)) {
          this.fail("type mismatch");
        }
        this.popFrame();
        if (d === 0) {
          if (r.pos !== end) this.fail("section size mismatch");
          return true;
        }
        this.pushList(results);
        break;
      }
      case Op.Br:
        this.popList(this.labelTypes(r.u32()));
        this.setUnreachable();
        break;
      case Op.Throw:
        this.popList(this.tagParams(r.u32()));
        this.setUnreachable();
        break;
      case Op.ThrowRef:
        this.pop(ValType.ExnRef);
        this.setUnreachable();
        break;
      case Op.TryTable:
        this.tryTable();
        break;
      case Op.Try:
        this.readBlockType();
        this.popList(this.btParams);
        this.pushFrame(Frame.Try, this.btParams, this.btResults);
        break;
      case Op.Catch:
      case Op.CatchAll: {
        // The next handler of a legacy `try`: the body (or the previous handler) ends like a block.
        const d = this.depth - 1;
        if (this.kinds[d] !== Frame.Try && this.kinds[d] !== Frame.Catch) {
          this.fail(op === Op.Catch ? "catch without try" : "catch_all without try");
        }
        const params = op === Op.Catch ? this.tagParams(r.u32()) : NO_TYPES;
        const results = this.results[d];
        this.popFrame();
        this.pushFrame(op === Op.Catch ? Frame.Catch : Frame.CatchAll, params, results);
        break;
      }
      case Op.Delegate: {
        const d = this.depth - 1;
        if (this.kinds[d] !== Frame.Try) this.fail("delegate without try");
        const results = this.results[d];
        this.popFrame();
        this.labelTypes(r.u32()); // any label of the enclosing blocks (the function's included)
        this.pushList(results);
        break;
      }
      case Op.Rethrow: {
        const l = r.u32();
        if (l >= this.depth) this.fail("unknown label");
        const kind = this.kinds[this.depth - 1 - l];
        if (kind !== Frame.Catch && kind !== Frame.CatchAll) this.fail("invalid rethrow label");
        this.setUnreachable();
        break;
      }
      case Op.BrIf: {
        const types = this.labelTypes(r.u32());
        this.pop(ValType.I32);
        this.popList(types);
        this.pushList(types);
        break;
      }
      case Op.BrTable:
        this.brTable();
        break;
      case Op.Return:
        this.popList(this.results[0]);
        this.setUnreachable();
        break;
      case Op.Call: {
        const t = this.mv.funcType(r.u32(), at);
        this.popList(this.mv.typeParams[t]);
        this.pushList(this.mv.typeResults[t]);
        break;
      }
      case Op.CallIndirect: {
        const t = r.u32();
        this.mv.typeOfKind(t, TypeKind.Func, at);
        const table = this.readTable();
        if (!this.mv.matches(table.elem, ValType.FuncRef)) this.fail("type mismatch");
        this.pop(addressOf(table));
        this.popList(this.mv.typeParams[t]);
        this.pushList(this.mv.typeResults[t]);
        break;
      }
      case Op.ReturnCall:
        this.returnCall(this.mv.funcType(r.u32(), at));
        break;
      case Op.CallRef: {
        const t = this.readTypeIndex();
        this.pop(refType(TYPE_HEAP + t, true));
        this.popList(this.mv.typeParams[t]);
        this.pushList(this.mv.typeResults[t]);
        break;
      }
      case Op.ReturnCallRef: {
        const t = this.readTypeIndex();
        this.pop(refType(TYPE_HEAP + t, true));
        this.returnCall(t);
        break;
      }
      case Op.ReturnCallIndirect: {
        const t = r.u32();
        this.mv.typeOfKind(t, TypeKind.Func, at);
        const table = this.readTable();
        if (!this.mv.matches(table.elem, ValType.FuncRef)) this.fail("type mismatch");
        this.pop(addressOf(table));
        this.returnCall(t);
        break;
      }
      case Op.Drop:
        this.popAny();
        break;
      case Op.Select: {
        this.pop(ValType.I32);
        const t1 = this.popAny();
        const t2 = this.popAny();
        if (!isNum(t1) || !isNum(t2)) this.fail("type mismatch");
        if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) this.fail("type mismatch");
        this.push(t1 === UNKNOWN ? t2 : t1);
        break;
      }
      case Op.SelectT: {
        if (r.u32() !== 1) this.fail("invalid result arity");
        const t = this.readValType();
        this.pop(ValType.I32);
        this.pop(t);
        this.pop(t);
        this.push(t);
        break;
      }
      case Op.LocalGet: {
        const i = this.readLocalIndex();
        if (this.strict && this.inits[i] === 0) this.fail("uninitialized local");
        this.push(this.locals[i]);
        break;
      }
      case Op.LocalSet: {
        const i = this.readLocalIndex();
        this.pop(this.locals[i]);
        this.initialized(i);
        break;
      }
      case Op.LocalTee: {
        const i = this.readLocalIndex(), t = this.locals[i];
        this.pop(t);
        this.push(t);
        this.initialized(i);
        break;
      }
      case Op.GlobalGet:
        this.push(m.globalTypes[this.readGlobalIndex()].type);
        break;
      case Op.GlobalSet: {
        const g = m.globalTypes[this.readGlobalIndex()];
        if (!g.mutable) this.fail("global is immutable");
        this.pop(g.type);
        break;
      }
      case Op.TableGet: {
        const table = this.readTable();
        this.pop(addressOf(table));
        this.push(table.elem);
        break;
      }
      case Op.TableSet: {
        const table = this.readTable();
        this.pop(table.elem);
        this.pop(addressOf(table));
        break;
      }
      case Op.MemorySize:
        this.push(this.memoryIndex());
        break;
      case Op.MemoryGrow: {
        const address = this.memoryIndex();
        this.pop(address);
        this.push(address);
        break;
      }
      case Op.I32Const:
        r.s32();
        this.push(ValType.I32);
        break;
      case Op.I64Const:
        skipS64(r);
        this.push(ValType.I64);
        break;
      case Op.F32Const:
        r.take(4);
        this.push(ValType.F32);
        break;
      case Op.F64Const:
        r.take(8);
        this.push(ValType.F64);
        break;
      case Op.RefNull:
        this.push(this.readNullType());
        break;
      case Op.RefIsNull:
        if (!mayBeRef(this.popAny())) this.fail("type mismatch");
        this.push(ValType.I32);
        break;
      case Op.RefAsNonNull: {
        const t = this.popAny();
        if (!mayBeRef(t)) this.fail("type mismatch");
        this.push(t === UNKNOWN ? UNKNOWN : refType(heapOf(t), false));
        break;
      }
      case Op.BrOnNull: {
        const types = this.labelTypes(r.u32());
        const t = this.popAny();
        if (!mayBeRef(t)) this.fail("type mismatch");
        this.popList(types);
        this.pushList(types);
        this.push(t === UNKNOWN ? UNKNOWN : refType(heapOf(t), false));
        break;
      }
      case Op.BrOnNonNull: {
        // The label takes the operands below and the reference, known not to be null there.
        const types = this.labelTypes(r.u32());
        const last = types[types.length - 1];
        if (types.length === 0 || !isRefType(last)) this.fail("type mismatch");
        const t = this.popAny();
        if (!mayBeRef(t) || (t !== UNKNOWN && !this.mv.matches(refType(heapOf(t), false), last))) {
          this.fail("type mismatch");
        }
        const below = types.subarray(0, types.length - 1);
        this.popList(below);
        this.pushList(below);
        break;
      }
      case Op.RefFunc: {
        const f = r.u32();
        this.mv.funcType(f, at);
        if (this.mv.declared[f] !== 1) this.fail("undeclared function reference");
        this.push(refType(TYPE_HEAP + this.m.funcTypeIndices[f], false)); // (ref $t): never null
        break;
      }
      case Op.RefEq:
        this.pop(EQREF);
        this.pop(EQREF);
        this.push(ValType.I32);
        break;
      case Op.PrefixGC:
        this.prefixGC();
        break;
      case Op.PrefixFC:
        this.prefixFC();
        break;
      case Op.PrefixSIMD:
        this.prefixSIMD();
        break;
      default:
        this.fail("illegal opcode");
    }
    return false;
  }

  /**
   * A tail call to a function of type `t` (its operands but the callee's own, already popped): the
   * callee's results must be the caller's (subtyping comes with typed references), as after `return`.
   */
  returnCall(t: number): void {
    const results = this.mv.typeResults[t], own = this.results[0];
    if (results.length !== own.length || results.some((r, i) => !this.mv.matches(r, own[i]))) {
      this.fail("type mismatch");
    }
    this.popList(this.mv.typeParams[t]);
    this.setUnreachable();
  }

  /** The parameters of tag `x`. */
  tagParams(x: number): Types {
    const tags = this.m.tags;
    if (x >= tags.length) this.fail(`unknown tag ${x}`);
    return this.mv.typeParams[tags[x]];
  }

  /**
   * `try_table`: its block type, then its catch clauses, whose labels (outside the try_table) must take
   * the tag's values, and the caught exception for `catch_ref` and `catch_all_ref`.
   */
  tryTable(): void {
    const r = this.r;
    this.readBlockType();
    const params = this.btParams, results = this.btResults;
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const kind = r.u8();
      if (kind > 3) this.fail("malformed catch clause");
      const values = kind <= 1 ? this.tagParams(r.u32()) : NO_TYPES;
      const label = this.labelTypes(r.u32());
      const ref = kind === 1 || kind === 3;
      if (label.length !== values.length + (ref ? 1 : 0)) this.fail("type mismatch");
      for (let k = 0; k < values.length; k++) {
        if (!this.mv.matches(values[k], label[k])) this.fail("type mismatch");
      }
      if (ref && !this.mv.matches(CAUGHT_EXN, label[values.length])) this.fail("type mismatch");
    }
    this.popList(params);
    this.pushFrame(Frame.TryTable, params, results);
  }

  brTable(): void {
    const r = this.r;
    const count = r.u32();
    if (count > r.end - r.pos) r.unexpectedEnd();
    // The default label comes last but fixes the arity, so read it first, then the list again.
    const listStart = r.pos;
    for (let i = 0; i < count; i++) r.u32();
    const defaultTypes = this.labelTypes(r.u32());
    const afterDefault = r.pos;
    this.pop(ValType.I32);
    const arity = defaultTypes.length;
    if (this.scratch.length < arity) this.scratch = new Int32Array(arity);
    const scratch = this.scratch;
    r.pos = listStart;
    for (let i = 0; i < count; i++) {
      const types = this.labelTypes(r.u32());
      if (types.length !== arity) this.fail("type mismatch");
      // Pop the label's types and push back what was popped (unknowns stay unknown).
      for (let k = arity - 1; k >= 0; k--) scratch[k] = this.pop(types[k]);
      for (let k = 0; k < arity; k++) this.push(scratch[k]);
    }
    r.pos = afterDefault;
    this.popList(defaultTypes);
    this.setUnreachable();
  }

  // ---- GC (0xfb) ----

  /** A struct or array type index immediate (`kind`): its definition. */
  readDefType(kind: TypeKind): DefType {
    return this.mv.typeOfKind(this.r.u32(), kind, this.at);
  }

  /** The reference type a cast instruction names (`ref.test`, `ref.cast`, `br_on_cast`). */
  readCastType(nullable: boolean): number {
    const at = this.r.pos;
    const t = refType(readHeapType(this.r), nullable);
    this.mv.checkValType(t, undefined, at);
    return t;
  }

  /** `(ref null top)` of reference type `t`'s hierarchy: what a cast to `t` may take. */
  topOf(t: number): number {
    return refType(topHeap(this.mv.canonHeap(heapOf(t))), true);
  }

  prefixGC(): void {
    const r = this.r, mv = this.mv;
    const sub = r.u32();
    switch (sub) {
      case GcOp.StructNew: {
        const x = r.pos, t = this.readDefType(TypeKind.Struct);
        for (let i = t.fields.length - 1; i >= 0; i--) this.pop(unpackedType(t.fields[i].type));
        this.push(refType(TYPE_HEAP + this.typeIndexAt(x), false));
        break;
      }
      case GcOp.StructNewDefault: {
        const x = r.pos, t = this.readDefType(TypeKind.Struct);
        if (!t.fields.every((f) => isDefaultable(f.type as ValType))) this.fail("type mismatch");
        this.push(refType(TYPE_HEAP + this.typeIndexAt(x), false));
        break;
      }
      case GcOp.StructGet:
      case GcOp.StructGetS:
      case GcOp.StructGetU: {
        const x = r.pos, t = this.readDefType(TypeKind.Struct);
        const f = this.readField(t);
        if ((sub === GcOp.StructGet) !== !isPacked(f.type)) this.fail("type mismatch");
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        this.push(unpackedType(f.type));
        break;
      }
      case GcOp.StructSet: {
        const x = r.pos, t = this.readDefType(TypeKind.Struct);
        const f = this.readField(t);
        if (!f.mutable) this.fail("immutable field");
        this.pop(unpackedType(f.type));
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        break;
      }
      case GcOp.ArrayNew:
      case GcOp.ArrayNewDefault:
      case GcOp.ArrayNewFixed:
      case GcOp.ArrayNewData:
      case GcOp.ArrayNewElem: {
        const x = r.pos, t = this.readDefType(TypeKind.Array), index = this.typeIndexAt(x);
        const elem = t.fields[0].type;
        if (sub === GcOp.ArrayNewFixed) {
          const n = r.u32();
          for (let i = 0; i < n; i++) this.pop(unpackedType(elem));
        } else {
          if (sub === GcOp.ArrayNewData) this.dataForArray(elem);
          if (sub === GcOp.ArrayNewElem) this.elemForArray(elem);
          this.pop(ValType.I32);
          if (sub === GcOp.ArrayNew) this.pop(unpackedType(elem));
          if (sub === GcOp.ArrayNewData || sub === GcOp.ArrayNewElem) this.pop(ValType.I32);
          if (sub === GcOp.ArrayNewDefault && !isDefaultable(elem as ValType)) this.fail("type mismatch");
        }
        this.push(refType(TYPE_HEAP + index, false));
        break;
      }
      case GcOp.ArrayGet:
      case GcOp.ArrayGetS:
      case GcOp.ArrayGetU: {
        const x = r.pos, t = this.readDefType(TypeKind.Array);
        const elem = t.fields[0].type;
        if ((sub === GcOp.ArrayGet) !== !isPacked(elem)) this.fail("type mismatch");
        this.pop(ValType.I32);
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        this.push(unpackedType(elem));
        break;
      }
      case GcOp.ArraySet:
      case GcOp.ArrayFill: {
        const x = r.pos, t = this.mutableArray();
        if (sub === GcOp.ArrayFill) this.pop(ValType.I32);
        this.pop(unpackedType(t.fields[0].type));
        this.pop(ValType.I32);
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        break;
      }
      case GcOp.ArrayLen:
        this.pop(refType(HeapType.Array, true));
        this.push(ValType.I32);
        break;
      case GcOp.ArrayCopy: {
        const x = r.pos, dst = this.mutableArray();
        const y = r.pos, src = this.readDefType(TypeKind.Array);
        const a = src.fields[0].type, b = dst.fields[0].type;
        if (a !== b && (isPacked(a) || isPacked(b) || !mv.matches(a, b))) {
          this.fail("array types do not match");
        }
        this.popI32s(2);
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(y), true));
        this.popI32s(1);
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        break;
      }
      case GcOp.ArrayInitData:
      case GcOp.ArrayInitElem: {
        const x = r.pos, t = this.mutableArray();
        if (sub === GcOp.ArrayInitData) this.dataForArray(t.fields[0].type);
        else this.elemForArray(t.fields[0].type);
        this.popI32s(3);
        this.pop(refType(TYPE_HEAP + this.typeIndexAt(x), true));
        break;
      }
      case GcOp.RefTest:
      case GcOp.RefTestNull:
      case GcOp.RefCast:
      case GcOp.RefCastNull: {
        const t = this.readCastType(sub === GcOp.RefTestNull || sub === GcOp.RefCastNull);
        this.pop(this.topOf(t));
        this.push(sub === GcOp.RefTest || sub === GcOp.RefTestNull ? ValType.I32 : t);
        break;
      }
      case GcOp.BrOnCast:
      case GcOp.BrOnCastFail:
        this.brOnCast(sub === GcOp.BrOnCastFail);
        break;
      case GcOp.AnyConvertExtern:
      case GcOp.ExternConvertAny: {
        const toAny = sub === GcOp.AnyConvertExtern;
        const from = toAny ? HeapType.Extern : HeapType.Any;
        const t = this.pop(refType(from, true));
        this.push(refType(toAny ? HeapType.Any : HeapType.Extern, t !== UNKNOWN && isNullable(t)));
        break;
      }
      case GcOp.RefI31:
        this.pop(ValType.I32);
        this.push(refType(HeapType.I31, false));
        break;
      case GcOp.I31GetS:
      case GcOp.I31GetU:
        this.pop(refType(HeapType.I31, true));
        this.push(ValType.I32);
        break;
      default:
        this.fail("illegal opcode");
    }
  }

  /** The type index whose LEB128 starts at byte `pos` (read again: the definition was what mattered). */
  typeIndexAt(pos: number): number {
    const r = this.r, end = r.pos;
    r.pos = pos;
    const x = r.u32();
    r.pos = end;
    return x;
  }

  /** A field index immediate of struct type `t`: the field. */
  readField(t: DefType): FieldType {
    const i = this.r.u32();
    if (i >= t.fields.length) this.fail(`unknown field ${i}`);
    return t.fields[i];
  }

  /** An array type index immediate whose elements may be set. */
  mutableArray(): DefType {
    const t = this.readDefType(TypeKind.Array);
    if (!t.fields[0].mutable) this.fail("immutable array");
    return t;
  }

  /** A data segment index for an array of `elem`s, which must be numbers or vectors. */
  dataForArray(elem: number): void {
    if (isRefType(elem)) this.fail("array type is not numeric or vector");
    this.readDataIndex();
  }

  /** An element segment index for an array of `elem`s, which the segment's references must match. */
  elemForArray(elem: number): void {
    const e = this.r.u32();
    if (!this.mv.matches(this.elemType(e), elem)) this.fail("type mismatch");
  }

  /**
   * `br_on_cast` (or, `fail`, `br_on_cast_fail`) l rt1 rt2: the operand has type rt1; rt2 matches rt1;
   * the branch carries rt2 (rt1 minus rt2 for `fail`) and the fallthrough the other.
   */
  brOnCast(fail: boolean): void {
    const r = this.r, mv = this.mv;
    const flags = r.u8();
    if (flags > 3) this.fail("malformed br_on_cast flags");
    const types = this.labelTypes(r.u32());
    const rt1 = this.readCastType((flags & 1) !== 0), rt2 = this.readCastType((flags & 2) !== 0);
    if (!mv.matches(rt2, rt1)) this.fail("type mismatch");
    const diff = isNullable(rt2) ? refType(heapOf(rt1), false) : rt1;
    const last = types[types.length - 1];
    if (types.length === 0 || !isRefType(last) || !mv.matches(fail ? diff : rt2, last)) {
      this.fail("type mismatch");
    }
    this.pop(rt1);
    const below = types.subarray(0, types.length - 1);
    this.popList(below);
    this.pushList(below);
    this.push(fail ? rt2 : diff);
  }

  prefixFC(): void {
    const r = this.r;
    const sub = r.u32();
    if (sub < 8) {
      this.pop(FC_SIG_IN[sub]);
      this.push(FC_SIG_OUT[sub]);
      return;
    }
    switch (sub) {
      case FcOp.MemoryInit: {
        // The memory is checked before the segment (the reference interpreter's order of messages).
        const at = this.r.pos;
        this.r.u32();
        const address = this.memoryIndex(), end = this.r.pos;
        this.r.pos = at;
        this.readDataIndex();
        this.r.pos = end;
        this.popI32s(2);
        this.pop(address);
        break;
      }
      case FcOp.DataDrop:
        this.readDataIndex();
        break;
      case FcOp.MemoryCopy: {
        const dst = this.memoryIndex(), src = this.memoryIndex();
        // The length fits both memories: i64 only when both addresses are.
        this.pop(dst === ValType.I64 && src === ValType.I64 ? ValType.I64 : ValType.I32);
        this.pop(src);
        this.pop(dst);
        break;
      }
      case FcOp.MemoryFill: {
        const address = this.memoryIndex();
        this.pop(address);
        this.pop(ValType.I32);
        this.pop(address);
        break;
      }
      case FcOp.TableInit: {
        const e = r.u32();
        const table = this.readTable();
        if (!this.mv.matches(this.elemType(e), table.elem)) this.fail("type mismatch");
        this.popI32s(2);
        this.pop(addressOf(table));
        break;
      }
      case FcOp.ElemDrop:
        this.elemType(r.u32());
        break;
      case FcOp.TableCopy: {
        const dst = this.readTable(), src = this.readTable();
        if (!this.mv.matches(src.elem, dst.elem)) this.fail("type mismatch");
        const [da, sa] = [addressOf(dst), addressOf(src)];
        this.pop(da === ValType.I64 && sa === ValType.I64 ? ValType.I64 : ValType.I32); // fits both
        this.pop(sa);
        this.pop(da);
        break;
      }
      case FcOp.TableGrow: {
        const table = this.readTable(), address = addressOf(table);
        this.pop(address);
        this.pop(table.elem);
        this.push(address);
        break;
      }
      case FcOp.TableSize:
        this.push(addressOf(this.readTable()));
        break;
      case FcOp.TableFill: {
        const table = this.readTable(), address = addressOf(table);
        this.pop(address);
        this.pop(table.elem);
        this.pop(address);
        break;
      }
      default:
        this.fail("illegal opcode");
    }
  }

  /** A SIMD instruction: immediates (alignment, lane indices), then the table-driven typing. */
  prefixSIMD(): void {
    const r = this.r;
    const sub = r.u32();
    if (!isKnownSimdOp(sub)) this.fail("illegal opcode");
    let address = ValType.I32; // the address operand of a memory access (SIMD_IN lists it as i32)
    switch (simdImmediate(sub)) {
      case SimdImm.MemArg:
        address = this.memarg(SIMD_ALIGN[sub]);
        break;
      case SimdImm.MemArgLane:
        address = this.memarg(SIMD_ALIGN[sub]);
        this.laneIndex(SIMD_LANES[sub]);
        break;
      case SimdImm.Lane:
        this.laneIndex(SIMD_LANES[sub]);
        break;
      case SimdImm.Bytes16:
        if (sub === SimdOp.I8x16Shuffle) { for (let i = 0; i < 16; i++) this.laneIndex(32); }
        else r.take(16);
        break;
    }
    const ins = SIMD_IN[sub];
    for (let i = ins.length - 1; i >= 0; i--) this.pop(i === 0 && address === ValType.I64 ? address : ins[i]);
    const out = SIMD_OUT[sub];
    if (out !== 0) this.push(out);
  }

  laneIndex(lanes: number): void {
    if (this.r.u8() >= lanes) this.fail("invalid lane index");
  }

  popI32s(n: number): void {
    for (let i = 0; i < n; i++) this.pop(ValType.I32);
  }
}

// Fast paths for LEB128 immediates. Producers often pad them to 5 bytes (wasm-ld does for relocated
// indices and addresses), so these take up to the full length, and give up (returning 0 or -1) only
// on what the `Reader` would refuse or on values too large to be valid indices; the caller then
// leaves the instruction to the general path and its errors.

/** The length of the u32 at `p`, or 0. */
function u32Length(bytes: Uint8Array, p: number, end: number): number {
  for (let n = 1; n <= 4; n++, p++) {
    if (p >= end) return 0;
    if (bytes[p] < 0x80) return n;
  }
  return p < end && bytes[p] < 0x10 ? 5 : 0; // the unused bits of a 5th byte must be zero
}

/** The length of the s32 at `p`, or 0. */
function s32Length(bytes: Uint8Array, p: number, end: number): number {
  for (let n = 1; n <= 4; n++, p++) {
    if (p >= end) return 0;
    if (bytes[p] < 0x80) return n;
  }
  if (p >= end) return 0;
  const high = bytes[p] & 0xf8; // no continuation bit, and bits 4..6 copy the sign (bit 3)
  return high === 0 || high === 0x78 ? 5 : 0;
}

/** The length of the s64 at `p`, or 0. */
function s64Length(bytes: Uint8Array, p: number, end: number): number {
  for (let n = 1; n <= 9; n++, p++) {
    if (p >= end) return 0;
    if (bytes[p] < 0x80) return n;
  }
  return p < end && (bytes[p] === 0 || bytes[p] === 0x7f) ? 10 : 0;
}

/** Where the last `u32At` ended. */
let u32End = 0;

/** The u32 at `p` when it is below 2^28 (a larger index is never in range in practice), or -1; sets `u32End`. */
function u32At(bytes: Uint8Array, p: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28; shift += 7, p++) {
    if (p >= end) return -1;
    const b = bytes[p];
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      u32End = p + 1;
      return value;
    }
  }
  if (p >= end || bytes[p] !== 0) return -1;
  u32End = p + 1;
  return value;
}

/** True when the top of the stack, above the frame's `height`, holds values of exactly `types`. */
function onTop(vals: Types, sp: number, height: number, types: Types): boolean {
  const n = types.length;
  if (sp - n < height) return false;
  for (let i = 0; i < n; i++) if (vals[sp - n + i] !== types[i]) return false;
  return true;
}
