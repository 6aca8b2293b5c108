/**
 * Closure factories for table instructions; all bounds are checked before anything changes. Tables
 * and element segments are found in the running instance (`vm`), by index.
 */
import { I32, R } from "../../runtime/machine.ts";
import { type Op, trap } from "../../runtime/objects.ts";

function oob(): never {
  trap("out of bounds table access");
}

const TWO_32 = 2 ** 32;

/** Reads an index or length operand in slot `slot`: unsigned, as an i64 for a 64-bit table (see `Limits`). */
function operand(slot: number, wide: boolean): (p: number) => number {
  const lo = 2 * slot, hi = lo + 1;
  return wide ? (p) => (I32[p + hi] >>> 0) * TWO_32 + (I32[p + lo] >>> 0) : (p) => I32[p + lo] >>> 0;
}

/** Writes a size (or -1) to slot `slot`: an i64 for a 64-bit table. */
function writeSize(p: number, slot: number, wide: boolean, size: number): void {
  I32[p + 2 * slot] = size;
  if (wide) I32[p + 2 * slot + 1] = size < 0 ? -1 : 0;
}

/**
 * `slots` are frame-relative slot operands in the order documented per kind:
 * get [dst, index]; set [index, value]; size [dst]; grow [dst, value, n]; fill [index, value, n];
 * copy [dst, src, n] (from table `src`); init [dst, src, n] (from element segment `seg`). `wide`:
 * table `t` is 64-bit; `srcWide`: so is table `src` (copy).
 */
export function tableOp(
  kind: "get" | "set" | "size" | "grow" | "fill" | "copy" | "init",
  t: number,
  slots: number[],
  next: number,
  seg = 0,
  src = 0,
  wide = false,
  srcWide = false,
): Op {
  const [x, y, z] = slots;
  switch (kind) {
    case "get": {
      const index = operand(y, wide);
      return (p, vm) => {
        const table = vm.tables[t];
        const i = index(p);
        if (i >= table.elements.length) oob();
        R[(p >> 1) + x] = table.elements[i];
        return next;
      };
    }
    case "set": {
      const index = operand(x, wide);
      return (p, vm) => {
        const table = vm.tables[t];
        const i = index(p);
        if (i >= table.elements.length) oob();
        table.elements[i] = R[(p >> 1) + y];
        return next;
      };
    }
    case "size":
      return (p, vm) => (writeSize(p, x, wide, vm.tables[t].elements.length), next);
    case "grow": {
      const delta = operand(z, wide);
      return (p, vm) => {
        const by = delta(p);
        writeSize(p, x, wide, by > TWO_32 ? -1 : vm.tables[t].grow(by, R[(p >> 1) + y]));
        return next;
      };
    }
    case "fill": {
      const index = operand(x, wide), length = operand(z, wide);
      return (p, vm) => {
        const table = vm.tables[t];
        const i = index(p), n = length(p);
        if (i + n > table.elements.length) oob();
        table.elements.fill(R[(p >> 1) + y], i, i + n);
        return next;
      };
    }
    case "copy": {
      const to = operand(x, wide), from = operand(y, srcWide), length = operand(z, wide && srcWide);
      return (p, vm) => {
        const table = vm.tables[t];
        const d = to(p), s = from(p), n = length(p);
        const items = vm.tables[src].elements;
        if (s + n > items.length || d + n > table.elements.length) oob();
        table.elements.splice(d, n, ...items.slice(s, s + n));
        return next;
      };
    }
    case "init": {
      const to = operand(x, wide), from = operand(y, false), length = operand(z, false);
      return (p, vm) => {
        const table = vm.tables[t];
        const d = to(p), s = from(p), n = length(p);
        const items = vm.elems[seg];
        if (s + n > items.length || d + n > table.elements.length) oob();
        for (let i = 0; i < n; i++) table.elements[d + i] = items[s + i];
        return next;
      };
    }
  }
}
