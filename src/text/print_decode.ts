/**
 * Decodes one instruction (its opcode and immediates) for the text printer, with the instruction table
 * of print_instructions.ts; and skips whole expressions (constant expressions, for the binary walker).
 */
import type { Reader } from "../wasm/reader.ts";
import { type Instruction, oneByteOps, prefixedOps } from "./print_instructions.ts";
import {
  ABSTRACT_HEAP,
  type HeapType,
  readHeapType,
  readU64,
  readValType,
  readVec,
  type ValType,
} from "./print_types.ts";

/** The block type of block, loop, if, try and try_table. */
export type BlockType =
  | { readonly kind: "empty" }
  | { readonly kind: "value"; readonly type: ValType }
  | { readonly kind: "index"; readonly index: number };

/** The immediates of a memory access: log2 alignment, memory index, offset. */
export interface MemArg {
  readonly align: number;
  readonly memory: number;
  readonly offset: bigint;
}

/** A catch clause of try_table. */
export interface CatchClause {
  readonly kind: "catch" | "catch_ref" | "catch_all" | "catch_all_ref";
  readonly tag?: number;
  readonly label: number;
}
const CATCH_KINDS = ["catch", "catch_ref", "catch_all", "catch_all_ref"] as const;

/** One decoded instruction; which fields are set follows from `op.immediate`. */
export interface Decoded {
  readonly op: Instruction;
  /** Offset of the opcode. */
  readonly at: number;
  block?: BlockType;
  catches?: CatchClause[];
  /** br_table: the targets, then the default. */
  labels?: number[];
  /** The first and second index immediates, in binary order. */
  index?: number;
  index2?: number;
  memarg?: MemArg;
  lane?: number;
  /** i32 (number), i64 (bigint), f32 (bits), f64 ([lo, hi] bits). */
  value?: number | bigint | [number, number];
  /** v128.const and i8x16.shuffle. */
  bytes?: Uint8Array;
  types?: ValType[];
  heap?: HeapType;
  heap2?: HeapType;
  /** br_on_cast: bit 0 and bit 1 say whether the source and target types are nullable. */
  flags?: number;
}

function lookUp(r: Reader): Instruction {
  const at = r.pos;
  const code = r.u8();
  const prefixed = prefixedOps.get(code);
  const op = prefixed ? prefixed.get(r.u32()) : oneByteOps[code];
  return op ?? r.fail(`illegal opcode 0x${code.toString(16)}`, at);
}

function readBlockType(r: Reader): BlockType {
  const b = r.bytes[r.pos];
  if (r.pos < r.end && b === 0x40) {
    r.pos++;
    return { kind: "empty" };
  }
  const isValType = (b >= 0x7b && b <= 0x7f) || b === 0x63 || b === 0x64 || ABSTRACT_HEAP[b] !== undefined;
  if (r.pos < r.end && isValType) return { kind: "value", type: readValType(r) };
  const at = r.pos;
  const index = r.s33();
  if (index < 0) r.fail("malformed block type", at);
  return { kind: "index", index };
}

function readMemArg(r: Reader): MemArg {
  const at = r.pos;
  const flags = r.u32();
  // Bit 6 says a memory index follows (multiple memories); the rest is log2 of the alignment.
  if (flags >= 0x80) r.fail("malformed memop flags", at);
  const memory = flags & 0x40 ? r.u32() : 0;
  const align = flags & 0x3f;
  const offset = readU64(r); // u64 in Wasm 3.0 whatever the memory's address type; validation bounds it
  return { align, memory, offset };
}

function readLane(r: Reader): number {
  return r.u8();
}

/** Reads the instruction at `r.pos`. */
export function readInstruction(r: Reader): Decoded {
  const at = r.pos;
  const op = lookUp(r);
  const d: Decoded = { op, at };
  switch (op.immediate) {
    case "none":
      break;
    case "block":
      d.block = readBlockType(r);
      break;
    case "try_table":
      d.block = readBlockType(r);
      d.catches = readVec(r, readCatch);
      break;
    case "br_table":
      d.labels = readVec(r, (r) => r.u32());
      d.labels.push(r.u32());
      break;
    case "label":
    case "func":
    case "type":
    case "local":
    case "global":
    case "table":
    case "memory":
    case "tag":
    case "data":
    case "elem":
      d.index = r.u32();
      break;
    case "call_indirect":
    case "type_field":
    case "type_type":
    case "type_data":
    case "type_elem":
    case "type_count":
    case "memory_init":
    case "memory_copy":
    case "table_init":
    case "table_copy":
      d.index = r.u32();
      d.index2 = r.u32();
      break;
    case "memarg":
      d.memarg = readMemArg(r);
      break;
    case "memarg_lane":
      d.memarg = readMemArg(r);
      d.lane = readLane(r);
      break;
    case "lane":
      d.lane = readLane(r);
      break;
    case "i32":
      d.value = r.s32();
      break;
    case "i64":
      d.value = r.s64();
      break;
    case "f32":
      d.value = r.bits32();
      break;
    case "f64":
      d.value = r.bits64();
      break;
    case "v128":
    case "shuffle":
      d.bytes = r.take(16);
      break;
    case "select_t":
      d.types = readVec(r, readValType);
      break;
    case "heap":
    case "ref":
    case "ref_null":
      d.heap = readHeapType(r);
      break;
    case "br_on_cast": {
      const flagsAt = r.pos;
      d.flags = r.u8();
      if (d.flags > 3) r.fail("malformed br_on_cast flags", flagsAt);
      d.index = r.u32();
      d.heap = readHeapType(r);
      d.heap2 = readHeapType(r);
      break;
    }
  }
  return d;
}

function readCatch(r: Reader): CatchClause {
  const at = r.pos;
  const kind = CATCH_KINDS[r.u8()] ?? r.fail("malformed catch clause", at);
  const tag = kind === "catch" || kind === "catch_ref" ? r.u32() : undefined;
  return { kind, tag, label: r.u32() };
}

/** How an instruction changes the nesting: +1 opens a block, -1 closes one (end, delegate), 0 neither. */
export function nesting(op: Instruction): number {
  if (op.immediate === "block" || op.immediate === "try_table") return 1;
  return op.name === "end" || op.name === "delegate" ? -1 : 0;
}

/** Skips instructions up to and including the `end` that closes the expression at `r.pos`. */
export function skipExpression(r: Reader): void {
  let depth = 0;
  for (;;) {
    depth += nesting(readInstruction(r).op);
    if (depth < 0) return;
  }
}
