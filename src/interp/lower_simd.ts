/**
 * Lowering of the SIMD instructions (prefix 0xfd): reads the immediates, pops the operand slots and
 * emits the closure `selectSimd` (ops/simd_select.ts) picks. Called by the main lowering for `case
 * 0xfd`; v128 values occupy ordinary frame slots, whose contents live in `V` (see runtime/machine.ts).
 */
import type { LoweringState } from "./lowering_state.ts";
import { isSimdLoad, readSimdImmediates, selectSimd } from "./ops/simd_select.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";
import { isWide } from "./lower_memory.ts";

/** Lowers SIMD instruction `sub` (the u32 after 0xfd); the validator has checked it. */
export function lowerSimd(l: LoweringState, sub: number): void {
  const imm = readSimdImmediates(l.r, sub);
  if (l.module.memories.length > imm.memory) imm.wide = isWide(l, imm.memory); // memory64
  let slots: number[], folded = false;
  if (isSimdLoad(sub)) {
    const [a, k, f] = popAddress(l);
    slots = [a], imm.addressK = k, folded = f;
  }
  const sel = selectSimd(sub, imm);
  slots ??= popSlots(l, sel.operands);
  if (sel.result === null) return l.emit((next) => sel.make(slots, 0, next));
  const make = (d: number, next: number) => sel.make(slots, d, next);
  const named = isSimdLoad(sub) ? l.named(folded ? "simdLoad:folded" : "simdLoad", make) : make;
  l.emitValue(sel.result, named);
}

/** Pops `n` operands; their slots in the order they were pushed. */
function popSlots(l: LoweringState, n: number): number[] {
  const slots = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) slots[i] = l.popSlot();
  return slots;
}

/**
 * Pops a load address as (slot, k): an `i32.add` of a constant k that was just held back is folded
 * into the load (it wraps as that add would), saving one op per access in typical loops.
 */
function popAddress(l: LoweringState): [number, number, boolean] {
  const p = l.detached(l.pendingProduces(l.h - 1));
  const add = p?.bin;
  if (p && add && p.prev === null && add.op === Opcode.I32Add && add.imm) {
    l.pending = null;
    l.h--;
    return [add.a, add.b, true];
  }
  return [l.popSlot(), 0, false];
}
