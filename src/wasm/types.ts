/**
 * The decoded form of a WebAssembly module. Produced by `decoder.ts`, checked by `validator.ts`,
 * executed by `interp/`. Pure data: no Deno APIs, no behaviour.
 */

/**
 * Value types. Numbers, vectors and the nullable abstract references that have a one-byte shorthand
 * are their binary encoding (`funcref` is `(ref null func)`, always written so); every other reference
 * type is `refType(heap, nullable)`, a number from `REF_BASE` on (see "Reference types" below).
 */
export const enum ValType {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
  /** `(ref null exn)`: a caught exception (exception handling). */
  ExnRef = 0x69,
}

/** Bytes in a page of linear memory. */
export const PAGE_SIZE = 65536;
/** A 32-bit memory has at most 65,536 pages (4 GiB). */
export const MAX_PAGES = 65536;
/** Pages a 64-bit memory may declare (2^48: 2^64 bytes); an instance gets at most `MAX_PAGES`. */
export const MAX_PAGES_64 = 2 ** 48;

/** A 64-bit number type (i64 or f64): both halves of a slot hold it. */
export function is64(t: ValType): boolean {
  return t === ValType.I64 || t === ValType.F64;
}

// ---- Reference types ----

/**
 * Heap types, as `refType` takes them: an abstract heap type by its one-byte code (`HeapType`), or a
 * type index `x` as `TYPE_HEAP + x`.
 */
export const enum HeapType {
  Func = 0x70,
  Extern = 0x6f,
  Exn = 0x69,
  /** The bottom of the function references: `ref.null nofunc` (the null of every function type). */
  NoFunc = 0x73,
  NoExtern = 0x72,
  NoExn = 0x74,
  // GC's abstract heap types: `any` above `eq` above `i31`, `struct` and `array`; `none` below them all.
  Any = 0x6e,
  Eq = 0x6d,
  I31 = 0x6c,
  Struct = 0x6b,
  Array = 0x6a,
  None = 0x71,
}

/** Heap type of type index 0 (`TYPE_HEAP + x` for index x). */
export const TYPE_HEAP = 0x80;
/** The first value type code of a reference type without a shorthand. */
export const REF_BASE = 0x1000;

/** `(ref null? heap)`: the shorthand byte where there is one, so that equal types are equal numbers. */
export function refType(heap: number, nullable: boolean): ValType {
  if (nullable && (heap === HeapType.Func || heap === HeapType.Extern || heap === HeapType.Exn)) {
    return heap as number as ValType;
  }
  return (REF_BASE + 2 * heap + (nullable ? 1 : 0)) as ValType;
}

/** The heap type of reference type `t`. */
export function heapOf(t: ValType): number {
  return t < REF_BASE ? t : (t - REF_BASE) >> 1;
}

/** Whether reference type `t` admits null. */
export function isNullable(t: ValType): boolean {
  return t < REF_BASE || (t & 1) === 1;
}

/** The type index of a concrete reference type (`(ref null? $t)`), or -1. */
export function typeIndexOf(t: ValType): number {
  const heap = heapOf(t);
  return t >= REF_BASE && heap >= TYPE_HEAP ? heap - TYPE_HEAP : -1;
}

export function isRefType(t: ValType): boolean {
  return t === ValType.FuncRef || t === ValType.ExternRef || t === ValType.ExnRef || t >= REF_BASE;
}

/** A reference to a function (of any type, or none: `nofunc`); false for extern and exn references. */
export function isFuncRef(t: ValType): boolean {
  const heap = heapOf(t);
  return heap === HeapType.Func || heap === HeapType.NoFunc || heap >= TYPE_HEAP;
}

/** Whether a local of type `t` starts with a default value (0, null): a non-null reference does not. */
export function isDefaultable(t: ValType): boolean {
  return !isRefType(t) || isNullable(t);
}

/** The JS API's names of value types ("anyfunc" is the old name of "funcref"; both are accepted). */
const JS_NAMES: Record<string, ValType> = {
  i32: ValType.I32,
  i64: ValType.I64,
  f32: ValType.F32,
  f64: ValType.F64,
  v128: ValType.V128,
  anyfunc: ValType.FuncRef,
  funcref: ValType.FuncRef,
  externref: ValType.ExternRef,
  exnref: ValType.ExnRef,
  anyref: refType(HeapType.Any, true),
  eqref: refType(HeapType.Eq, true),
  i31ref: refType(HeapType.I31, true),
  structref: refType(HeapType.Struct, true),
  arrayref: refType(HeapType.Array, true),
};

/** The value type the JS API names `name` (a descriptor's `value`, a tag's parameter), or undefined. */
export function valTypeOfJsName(name: string): ValType | undefined {
  return Object.hasOwn(JS_NAMES, name) ? JS_NAMES[name] : undefined;
}

export function valTypeName(t: ValType): string {
  switch (t) {
    case ValType.I32:
      return "i32";
    case ValType.I64:
      return "i64";
    case ValType.F32:
      return "f32";
    case ValType.F64:
      return "f64";
    case ValType.V128:
      return "v128";
    case ValType.FuncRef:
      return "funcref";
    case ValType.ExternRef:
      return "externref";
    case ValType.ExnRef:
      return "exnref";
  }
  if (t >= REF_BASE) {
    const heap = heapOf(t);
    const name = heap >= TYPE_HEAP ? String(heap - TYPE_HEAP) : HEAP_NAMES[heap] ?? `0x${heap.toString(16)}`;
    return `(ref ${isNullable(t) ? "null " : ""}${name})`;
  }
  return `0x${(t as number).toString(16)}`;
}

const HEAP_NAMES: Record<number, string> = {
  [HeapType.Func]: "func",
  [HeapType.Extern]: "extern",
  [HeapType.Exn]: "exn",
  [HeapType.NoFunc]: "nofunc",
  [HeapType.NoExtern]: "noextern",
  [HeapType.NoExn]: "noexn",
  [HeapType.Any]: "any",
  [HeapType.Eq]: "eq",
  [HeapType.I31]: "i31",
  [HeapType.Struct]: "struct",
  [HeapType.Array]: "array",
  [HeapType.None]: "none",
};

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

/** The composite type a defined type is (GC adds structs and arrays to functions). */
export const enum TypeKind {
  Func = 0,
  Struct = 1,
  Array = 2,
}

/** Packed storage types of struct fields and array elements (GC), by their binary encoding. */
export const enum Packed {
  I8 = 0x78,
  I16 = 0x77,
}

/** A struct field or an array's element: a value type or a packed type, and whether it may be set. */
export interface FieldType {
  type: ValType | Packed;
  mutable: boolean;
}

/**
 * A type of the type section: a function type (`params`, `results`) or a struct (`fields`) or array
 * (`fields[0]`, its element) type, with its place in the subtype order and in its recursion group.
 * A struct or array type has no parameters or results.
 */
export interface DefType extends FuncType {
  kind: TypeKind;
  fields: FieldType[];
  /** `sub final` (or no `sub` at all): no type may declare it as its supertype. */
  final: boolean;
  /** The declared supertype's index, or -1. */
  supertype: number;
  /** Index of the first type of the recursion group this type belongs to, and the group's size. */
  group: number;
  groupSize: number;
}

/** The value type a field of storage type `t` reads as: i32 for the packed i8 and i16. */
export function unpackedType(t: ValType | Packed): ValType {
  return t === Packed.I8 || t === Packed.I16 ? ValType.I32 : t;
}

export interface Limits {
  /** Sizes of a 64-bit memory or table are u64s: exact up to 2^53 (beyond, no instance has that size). */
  min: number;
  /** Absent when the limits have no maximum. */
  max?: number;
  /** A 64-bit memory or table (memory64, table64): i64 addresses, sizes and indices. */
  address64?: boolean;
}

export interface TableType {
  /** A reference type. */
  elem: ValType;
  limits: Limits;
  /** What every element starts as (a module's own table; typed function references): else null. */
  init?: ConstExpr;
}

export interface MemoryType {
  limits: Limits; // in 64 KiB pages
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

export const enum ExternKind {
  Func = 0,
  Table = 1,
  Memory = 2,
  Global = 3,
  /** An exception tag (exception handling). */
  Tag = 4,
}

export type ImportDesc =
  | { kind: ExternKind.Func; typeIndex: number }
  | { kind: ExternKind.Table; type: TableType }
  | { kind: ExternKind.Memory; type: MemoryType }
  | { kind: ExternKind.Global; type: GlobalType }
  | { kind: ExternKind.Tag; typeIndex: number };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/**
 * One instruction of a constant expression, decoded once by the decoder, typed by the validator and
 * evaluated by `engine/instantiate.ts` (nobody reads its bytes again). `at` is its module offset.
 */
export type ConstInstr =
  /** `i32/i64/f32/f64/v128.const`: the value as little-endian 32-bit words (1, 2 or 4 of them). */
  | { kind: "value"; at: number; type: ValType; words: number[] }
  | { kind: "ref.null"; at: number; type: ValType }
  | { kind: "ref.func"; at: number; index: number }
  | { kind: "global.get"; at: number; index: number }
  /** Extended constant expressions: `i32/i64.add/sub/mul` (`op`, its opcode) of the two values below. */
  | { kind: "arith"; at: number; op: number; type: ValType }
  /**
   * GC's constant instructions (`op`, the sub-opcode after 0xfb): `struct.new(_default)`,
   * `array.new(_default|_fixed)` of type `index` (`count` elements for `array.new_fixed`), `ref.i31`,
   * `any.convert_extern`, `extern.convert_any`.
   */
  | { kind: "gc"; at: number; op: number; index: number; count: number };

/** A constant expression (global initialisers, segment offsets, element items). */
export interface ConstExpr {
  instrs: ConstInstr[];
  end: number; // offset of the terminating `end` opcode
}

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export const enum SegmentMode {
  Active = 0,
  Passive = 1,
  Declarative = 2,
}

export interface ElemSegment {
  mode: SegmentMode;
  /** Table index, for active segments. */
  table: number;
  /** Offset expression, for active segments. */
  offset?: ConstExpr;
  type: ValType; // FuncRef or ExternRef
  /** Each item is a constant expression producing a reference. */
  init: ConstExpr[];
  /** When the segment used the function-index encoding, the indices (fast path); else undefined. */
  funcIndices?: number[];
}

export interface DataSegment {
  mode: SegmentMode.Active | SegmentMode.Passive;
  memory: number;
  offset?: ConstExpr;
  /** Byte range of the data in the module bytes. */
  start: number;
  end: number;
}

/** A function defined in the module (not imported). */
export interface FuncBody {
  typeIndex: number;
  /** Declared locals, expanded: one entry per local (excluding parameters). */
  locals: ValType[];
  /** Byte range of the instruction sequence (after the local declarations), `end` included. */
  codeStart: number;
  codeEnd: number;
  /** Offset of the body's size field: what tools call the function's offset. */
  bodyOffset: number;
}

export interface CustomSection {
  name: string;
  start: number; // payload start (after the name)
  end: number;
}

export interface NameSection {
  module?: string;
  /** Function index → name. */
  functions: Map<number, string>;
  /** Function index → (local index → name). */
  locals: Map<number, Map<number, string>>;
}

export interface SectionInfo {
  id: number;
  /** Offset of the section's payload and its size in bytes. */
  start: number;
  size: number;
}

export interface ModuleInfo {
  bytes: Uint8Array;
  types: DefType[];
  imports: Import[];
  /** Type index of every function in the function index space (imports first). */
  funcTypeIndices: number[];
  importedFuncCount: number;
  /** Defined functions only, in order (index = function index - importedFuncCount). */
  funcs: FuncBody[];
  /** Every table in the index space (imports first). */
  tables: TableType[];
  importedTableCount: number;
  memories: MemoryType[];
  importedMemoryCount: number;
  /** Every global's type in the index space (imports first). */
  globalTypes: GlobalType[];
  importedGlobalCount: number;
  /** The type index (a function type without results) of every tag in the index space (imports first). */
  tags: number[];
  importedTagCount: number;
  /** Defined globals only. */
  globals: Global[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  datas: DataSegment[];
  dataCount?: number;
  customs: CustomSection[];
  names: NameSection;
  sections: SectionInfo[];
}
