/**
 * Closure factories for table instructions; all bounds are checked before anything changes. Tables
 * and element segments are found in the running instance (`vm`), by index.
 */
import { I32, R } from "../../runtime/machine.ts";
import { type Op, trap } from "../../runtime/objects.ts";

function oob(): never {
  trap("out of bounds table access");
}

/**
 * `slots` are frame-relative slot operands in the order documented per kind:
 * get [dst, index]; set [index, value]; size [dst]; grow [dst, value, n]; fill [index, value, n];
 * copy [dst, src, n] (from table `src`); init [dst, src, n] (from element segment `seg`).
 */
export function tableOp(
  kind: "get" | "set" | "size" | "grow" | "fill" | "copy" | "init",
  t: number,
  slots: number[],
  next: number,
  seg = 0,
  src = 0,
): Op {
  const [x, y, z] = slots;
  switch (kind) {
    case "get":
      return (p, vm) => {
        const table = vm.tables[t];
        const i = I32[p + 2 * y] >>> 0;
        if (i >= table.elements.length) oob();
        R[(p >> 1) + x] = table.elements[i];
        return next;
      };
    case "set":
      return (p, vm) => {
        const table = vm.tables[t];
        const i = I32[p + 2 * x] >>> 0;
        if (i >= table.elements.length) oob();
        table.elements[i] = R[(p >> 1) + y];
        return next;
      };
    case "size":
      return (p, vm) => (I32[p + 2 * x] = vm.tables[t].elements.length, next);
    case "grow":
      return (p, vm) => (I32[p + 2 * x] = vm.tables[t].grow(I32[p + 2 * z] >>> 0, R[(p >> 1) + y]), next);
    case "fill":
      return (p, vm) => {
        const table = vm.tables[t];
        const i = I32[p + 2 * x] >>> 0, n = I32[p + 2 * z] >>> 0;
        if (i + n > table.elements.length) oob();
        table.elements.fill(R[(p >> 1) + y], i, i + n);
        return next;
      };
    case "copy":
      return (p, vm) => {
        const table = vm.tables[t];
        const d = I32[p + 2 * x] >>> 0, s = I32[p + 2 * y] >>> 0, n = I32[p + 2 * z] >>> 0;
        const from = vm.tables[src].elements;
        if (s + n > from.length || d + n > table.elements.length) oob();
        table.elements.splice(d, n, ...from.slice(s, s + n));
        return next;
      };
    case "init":
      return (p, vm) => {
        const table = vm.tables[t];
        const d = I32[p + 2 * x] >>> 0, s = I32[p + 2 * y] >>> 0, n = I32[p + 2 * z] >>> 0;
        const items = vm.elems[seg];
        if (s + n > items.length || d + n > table.elements.length) oob();
        for (let i = 0; i < n; i++) table.elements[d + i] = items[s + i];
        return next;
      };
  }
}
