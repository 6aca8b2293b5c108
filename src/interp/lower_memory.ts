/**
 * Lowering of loads and stores (0x28..0x3e), with the fusions that fold an address computation into
 * the access, a load into a compare-and-branch, and arithmetic into a store or a read-modify-write, over
 * the state of the lowering in lower.ts.
 */
import {
  f32ReadModifyWrite,
  f32StoreBinary,
  f64ReadModifyWrite,
  f64StoreBinary,
  load as load_,
  loadIndexed,
  store,
} from "./ops/ops_memory.ts";
import { LOAD_RESULT, readMemarg } from "../wasm/code.ts";
import { loadFrom, storeTo } from "./ops/ops_memory_wide.ts";
import { opName, opNames } from "./forms.ts";

import { counts, isAddImm, Kind, type LoweringState, tag } from "./lowering_state.ts";
import { fuseMulAdd } from "./lower_numeric.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";

export function memoryAccess(l: LoweringState, op: number): void {
  const { memory, offset } = readMemarg(l.r);
  if (memory !== 0 || isWide(l, 0)) return anyMemoryAccess(l, op, memory, offset);
  if (op <= Opcode.I64Load32U) {
    // An address computed by the op just before (`base + k`) is folded into the load.
    const p = l.detached(l.pendingProduces(l.h - 1));
    const pb = p?.bin;
    if (
      p && pb && p.prev === null && pb.op === Opcode.I32Add && !pb.imm &&
      (op === Opcode.I32Load || op === Opcode.F64Load || op === Opcode.I32Load8U)
    ) {
      l.pending = null;
      l.h--;
      return l.emitValue(
        LOAD_RESULT[op - Opcode.I32Load],
        tag(
          counts && `loadIndexed:${opNames()[op]}`,
          (d, next) => loadIndexed(op, d, pb.a, pb.b, offset, next),
        ),
      );
    }
    if (p && pb && p.prev === null && pb.op === Opcode.I32Add && pb.imm) {
      l.pending = null;
      l.h--;
      const load = { op, a: pb.a, k: pb.b, offset };
      return l.emitValue(
        LOAD_RESULT[op - Opcode.I32Load],
        tag(
          counts && `load:${opNames()[op]}:folded`,
          (d, next) => load_(op, d, pb.a, pb.b, offset, next),
        ),
        null,
        { load },
      );
    }
    const a = l.popSlot();
    return l.emitValue(
      LOAD_RESULT[op - Opcode.I32Load],
      tag(counts && `load:${opNames()[op]}`, (d, next) => load_(op, d, a, 0, offset, next)),
      null,
      { load: { op, a, k: 0, offset } },
    );
  }
  const value = l.pendingProduces(l.h - 1);
  const rmw = value?.f64mem;
  const storesFloat = op === Opcode.F64Store || op === Opcode.F32Store;
  const isF32 = op === Opcode.F32Store;
  const fits = (arith: number) =>
    isF32
      ? arith >= Opcode.F32Add && arith <= Opcode.F32Div
      : arith >= Opcode.F64Add && arith <= Opcode.F64Div;
  if (
    storesFloat && rmw && fits(rmw.op) && value!.prev === null && rmw.load.k === 0 &&
    rmw.load.offset === offset
  ) {
    // Stored back where it was loaded from: `c[i] += x` in one closure.
    const addr = l.h - 2;
    const addrSlot = l.kind[addr] === Kind.Local
      ? l.slotOf[addr]
      : l.kind[addr] === Kind.Stack
      ? l.canonical(addr)
      : -1;
    if (addrSlot === rmw.load.a) {
      l.pending = null;
      l.h -= 2;
      const { op: arith, x, memLeft } = rmw;
      if (fuseMulAdd(l, isF32, arith, x, memLeft, addrSlot, offset)) return;
      const rmwOp = isF32 ? f32ReadModifyWrite : f64ReadModifyWrite;
      return l.emit(tag(
        counts && `${isF32 ? "f32" : "f64"}ReadModifyWrite:${opName(arith)}:${memLeft ? "left" : "right"}`,
        (next) => rmwOp(addrSlot, offset, arith, x, memLeft, next),
      ));
    }
  }
  if (storesFloat && value?.f64 && fits(value.f64.op) && value.prev === null) {
    const { op: arith, a: x, b: y } = value.f64;
    l.pending = null;
    l.h--;
    const a = l.popSlot();
    const storeOp = isF32 ? f32StoreBinary : f64StoreBinary;
    return l.emit(tag(
      counts && `${isF32 ? "f32" : "f64"}StoreBinary:${opName(arith)}`,
      (next) => storeOp(a, offset, arith, x, y, next),
    ));
  }
  // An address the held-back op computed as `base + k` (with a value that needs no op) folds in.
  const addr = l.detached(l.pendingProduces(l.h - 2));
  const vk = l.kind[l.h - 1];
  if (
    addr?.bin && isAddImm(addr.bin) &&
    (vk === Kind.Local || (vk === Kind.Const && l.poolSlot(l.h - 1) >= 0))
  ) {
    const v = vk === Kind.Local ? l.slotOf[l.h - 1] : l.poolSlot(l.h - 1);
    const { a, b: k } = addr.bin;
    l.pending = null;
    l.h -= 2;
    return l.emit(
      tag(counts && `store:${opNames()[op]}:folded`, (next) => store(op, a, k, v, offset, next)),
    );
  }
  const v = l.popSlot();
  const a = l.popSlot();
  l.emit(tag(counts && `store:${opNames()[op]}`, (next) => store(op, a, 0, v, offset, next)));
}

/** Memory `m` has 64-bit addresses. */
export function isWide(l: LoweringState, m: number): boolean {
  return l.module.memories[m].limits.address64 === true;
}

/** A load or store on memory `m` other than a 32-bit memory 0: no fusions (see ops_memory_wide.ts). */
function anyMemoryAccess(l: LoweringState, op: number, m: number, offset: number): void {
  const wide = isWide(l, m);
  if (op <= Opcode.I64Load32U) {
    const a = l.popSlot();
    return l.emitValue(
      LOAD_RESULT[op - Opcode.I32Load],
      tag(counts && `loadFrom:${opNames()[op]}`, (d, next) => loadFrom(m, wide, op, d, a, offset, next)),
    );
  }
  const v = l.popSlot();
  const a = l.popSlot();
  l.emit(tag(counts && `storeTo:${opNames()[op]}`, (next) => storeTo(m, wide, op, a, v, offset, next)));
}
