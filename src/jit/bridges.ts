/**
 * The instructions the JS tier runs through an interpreter closure (rare ones: table and bulk-memory
 * instructions, conversions that trap, less common SIMD), built from the instruction's bytes alone.
 * Generated code names such a closure by where its instruction is (`op AT SCRATCH`), so the code can
 * be bound again from its text, in another instance or another run (the CLI's compile cache).
 */
import { Reader } from "../wasm/reader.ts";
import { type ModuleInfo, ValType } from "../wasm/types.ts";
import type { Op } from "../runtime/objects.ts";
import { convert } from "../interp/ops/ops_convert.ts";
import { memoryCopy, memoryFill, memoryGrow, memoryInit } from "../interp/ops/ops_memory.ts";
import { tableOp } from "../interp/ops/ops_table.ts";
import { readSimdImmediates, selectSimd } from "../interp/ops/simd_select.ts";
import { CONVERT_RESULT, LOAD_RESULT, readMemarg } from "../wasm/code.ts";
import {
  loadFrom,
  memoryCopyOf,
  memoryFillOf,
  memoryGrowOf,
  memoryInitOf,
  memorySizeOf,
  storeTo,
} from "../interp/ops/ops_memory_wide.ts";
import { FcOp, Op as Opcode } from "../wasm/opcodes.ts";
import { type GcLowering, lowerGc } from "../interp/ops/ops_gc.ts";

/** An instruction run by an interpreter closure: its operands, its result and the closure. */
export interface Bridge {
  operands: number;
  result: ValType | null;
  /** The closure, reading its operands from the scratch slots and writing its result after them. */
  op: Op;
  /** Where the instruction ends. */
  end: number;
}

/**
 * The bridge for the instruction at byte offset `at` of `module`, with operands in the frame's
 * scratch slots from `scratch` on (the result in `scratch + 3`). Throws for an instruction the JS
 * tier does not bridge.
 */
export function bridgeAt(module: ModuleInfo, at: number, scratch: number): Bridge {
  const r = new Reader(module.bytes, at, module.bytes.length);
  const slots = [scratch, scratch + 1, scratch + 2];
  const [a, b] = slots, d = scratch + 3;
  const done = (operands: number, result: ValType | null, op: Op): Bridge => ({
    operands,
    result,
    op,
    end: r.pos,
  });
  const code = r.u8();
  switch (code) {
    case Opcode.TableGet: {
      const t = r.u32();
      return done(1, module.tables[t].elem, tableOp("get", t, [d, a], 0, 0, 0, tableWide(module, t)));
    }
    case Opcode.TableSet: {
      const t = r.u32();
      return done(2, null, tableOp("set", t, [a, b], 0, 0, 0, tableWide(module, t)));
    }
    case Opcode.MemorySize: {
      const m = r.u32(), wide = memoryWide(module, m);
      return done(0, wide ? ValType.I64 : ValType.I32, memorySizeOf(m, wide, d, 0));
    }
    case Opcode.MemoryGrow: {
      const m = r.u32(), wide = memoryWide(module, m);
      const op = m === 0 && !wide ? memoryGrow(d, a, 0) : memoryGrowOf(m, wide, d, a, 0);
      return done(1, wide ? ValType.I64 : ValType.I32, op);
    }
    case Opcode.PrefixFC:
      return prefixed(module, r, r.u32(), slots, d, done);
    case Opcode.PrefixGC:
      return gcBridge(module, r, scratch, done);
    case Opcode.PrefixSIMD: {
      const sub = r.u32();
      const imm = readSimdImmediates(r, sub);
      if (module.memories.length > imm.memory) imm.wide = memoryWide(module, imm.memory);
      const sel = selectSimd(sub, imm);
      return done(sel.operands, sel.result, sel.make(slots.slice(0, sel.operands), d, 0));
    }
  }
  if (code >= Opcode.I32Load && code <= Opcode.I64Store32) {
    // accesses to memories other than a 32-bit memory 0 (the JS tier inlines those)
    const { memory, offset } = readMemarg(r), wide = memoryWide(module, memory);
    if (code <= Opcode.I64Load32U) {
      return done(1, LOAD_RESULT[code - Opcode.I32Load], loadFrom(memory, wide, code, d, a, offset, 0));
    }
    return done(2, null, storeTo(memory, wide, code, a, b, offset, 0));
  }
  if (code >= Opcode.I32TruncF32S && code <= Opcode.F64PromoteF32) {
    // trapping truncations and i64 → f32: exact rounding and traps
    return done(1, CONVERT_RESULT[code - Opcode.I32TruncF32S], convert(code, d, a, 0));
  }
  throw new Error(`js tier: no bridge for opcode 0x${code.toString(16)} at ${at}`);
}

/**
 * A GC instruction through the interpreter's lowering of it (interp/lower_gc.ts), with operands in
 * the scratch slots from `scratch` on (however many: `struct.new` takes one per field) and its
 * result in `scratch + 3`, written after every operand is read. A first pass counts the operands.
 */
function gcBridge(
  module: ModuleInfo,
  r: Reader,
  scratch: number,
  done: (operands: number, result: ValType | null, op: Op) => Bridge,
): Bridge {
  const start = r.pos;
  const lower = (operands: number) => {
    r.pos = start;
    let popped = 0, op: Op | null = null, result: ValType | null = null;
    const target: GcLowering = {
      module,
      r,
      type: [],
      h: 0,
      popSlot: () => scratch + operands - 1 - popped++,
      emit: (make) => op = make(0),
      emitValue: (t, make) => (result = t, op = make(scratch + 3, 0)),
    };
    lowerGc(target, r.u32());
    return { popped, op: op!, result: result as ValType | null };
  };
  const { popped } = lower(0);
  const { op, result } = lower(popped);
  return done(popped, result, op);
}

/** Memory `m` of `module` has 64-bit addresses. */
function memoryWide(module: ModuleInfo, m: number): boolean {
  return module.memories[m].limits.address64 === true;
}

/** Table `t` of `module` has 64-bit indices. */
function tableWide(module: ModuleInfo, t: number): boolean {
  return module.tables[t].limits.address64 === true;
}

function prefixed(
  module: ModuleInfo,
  r: Reader,
  sub: number,
  [a, b, c]: number[],
  d: number,
  done: (operands: number, result: ValType | null, op: Op) => Bridge,
): Bridge {
  if (sub <= 7) {
    const op = sub < FcOp.I64TruncSatF32S // the i64 forms skip extend_i32_s/u
      ? Opcode.I32TruncF32S + sub
      : Opcode.I64TruncF32S + (sub - FcOp.I64TruncSatF32S);
    return done(1, CONVERT_RESULT[op - Opcode.I32TruncF32S], convert(op, d, a, 0, true));
  }
  switch (sub) {
    case 8: { // memory.init
      const seg = r.u32(), m = r.u32(), wide = memoryWide(module, m);
      return done(
        3,
        null,
        m === 0 && !wide ? memoryInit(seg, a, b, c, 0) : memoryInitOf(seg, m, wide, a, b, c, 0),
      );
    }
    case 10: { // memory.copy
      const dm = r.u32(), sm = r.u32(), dw = memoryWide(module, dm), sw = memoryWide(module, sm);
      const plain = dm === 0 && sm === 0 && !dw;
      return done(3, null, plain ? memoryCopy(a, b, c, 0) : memoryCopyOf(dm, sm, dw, sw, a, b, c, 0));
    }
    case 11: { // memory.fill
      const m = r.u32(), wide = memoryWide(module, m);
      return done(3, null, m === 0 && !wide ? memoryFill(a, b, c, 0) : memoryFillOf(m, wide, a, b, c, 0));
    }
    case 12: { // table.init
      const seg = r.u32(), t = r.u32();
      return done(3, null, tableOp("init", t, [a, b, c], 0, seg, 0, tableWide(module, t)));
    }
    case 14: { // table.copy
      const dst = r.u32(), src = r.u32();
      const op = tableOp("copy", dst, [a, b, c], 0, 0, src, tableWide(module, dst), tableWide(module, src));
      return done(3, null, op);
    }
    case 15: { // table.grow
      const t = r.u32(), wide = tableWide(module, t);
      return done(2, wide ? ValType.I64 : ValType.I32, tableOp("grow", t, [d, a, b], 0, 0, 0, wide));
    }
    case 16: { // table.size
      const t = r.u32(), wide = tableWide(module, t);
      return done(0, wide ? ValType.I64 : ValType.I32, tableOp("size", t, [d], 0, 0, 0, wide));
    }
    case 17: { // table.fill
      const t = r.u32();
      return done(3, null, tableOp("fill", t, [a, b, c], 0, 0, 0, tableWide(module, t)));
    }
  }
  throw new Error(`js tier: no bridge for 0xfc ${sub}`);
}

/** The code this file generates with, for the compile cache's key (compile.ts `generatorText`). */
export function bridgesText(): string {
  return [bridgeAt, gcBridge, memoryWide, tableWide, prefixed].map(String).join("\n");
}
