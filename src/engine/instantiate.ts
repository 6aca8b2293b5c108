/**
 * Instantiation: links resolved imports, creates the module's own functions, tables, memories and
 * globals, evaluates constant expressions, applies active segments and runs the start function.
 * Import resolution from a JS object lives in the API layer; this takes already-typed externs.
 */
import {
  type ConstExpr,
  type ConstInstr,
  ExternKind,
  MAX_PAGES,
  type ModuleInfo,
  SegmentMode,
  ValType,
} from "../wasm/types.ts";
import {
  type EngineOptions,
  type FuncInst,
  GLOBAL_CELL,
  GlobalInst,
  InstanceState,
  MAX_TABLE_SIZE,
  MemoryInst,
  TableInst,
  trap,
  WasmFunc,
} from "../runtime/objects.ts";
import { compileNow, tiering } from "./tiering.ts";
import { execute } from "../runtime/call.ts";
import { machine } from "../runtime/machine.ts";
import { HostThrow } from "../runtime/trap.ts";
import { lowerFunction } from "../interp/lower.ts";
import { GcOp, Op } from "../wasm/opcodes.ts";
import { arrayFromCells, layoutOf, structFromCells } from "../runtime/gc.ts";
import { newTag, type Tag } from "../runtime/exceptions.ts";

/** An import, already resolved to a runtime object of the right kind. */
export type ExternValue = FuncInst | TableInst | MemoryInst | GlobalInst | Tag;

/**
 * Evaluates a validated constant expression into `out` (bits, or `out.ref`). Most are one instruction;
 * extended constant expressions (`i32/i64.add/sub/mul`) go through a small stack of values.
 */
function evalConst(inst: InstanceState, expr: ConstExpr, out: GlobalInst): void {
  if (expr.instrs.length === 1 && expr.instrs[0].kind !== "gc") return evalInstr(inst, expr.instrs[0], out);
  const stack: GlobalInst[] = [];
  for (const i of expr.instrs) {
    if (i.kind === "gc") {
      stack.push(evalGc(inst, i, stack));
      continue;
    }
    if (i.kind !== "arith") {
      const cell = new GlobalInst(ValType.I32, false);
      evalInstr(inst, i, cell);
      stack.push(cell);
      continue;
    }
    const b = stack.pop()!, a = stack[stack.length - 1];
    if (i.type === ValType.I32) a.i32[0] = arith32(i.op, a.i32[0], b.i32[0]);
    else {
      const x = (BigInt(a.i32[1]) << 32n) | BigInt(a.i32[0] >>> 0);
      const y = (BigInt(b.i32[1]) << 32n) | BigInt(b.i32[0] >>> 0);
      const r = arith64(i.op, x, y);
      a.i32[0] = Number(BigInt.asIntN(32, r)), a.i32[1] = Number(BigInt.asIntN(32, r >> 32n));
    }
  }
  out.i32.set(stack[0].i32), out.ref = stack[0].ref;
}

function evalInstr(inst: InstanceState, i: ConstInstr, out: GlobalInst): void {
  switch (i.kind) {
    case "value":
      out.i32.set(i.words);
      break;
    case "ref.null":
      out.ref = null;
      break;
    case "ref.func":
      out.ref = inst.func(i.index);
      break;
    case "global.get": {
      const g = inst.globals[i.index];
      out.i32.set(g.i32), out.ref = g.ref;
      break;
    }
  }
}

/** A GC constant instruction (`struct.new`, `array.new_fixed`, `ref.i31` …) on the values of `stack`. */
function evalGc(
  inst: InstanceState,
  i: Extract<ConstInstr, { kind: "gc" }>,
  stack: GlobalInst[],
): GlobalInst {
  const out = new GlobalInst(ValType.I32, false);
  switch (i.op) {
    case GcOp.RefI31:
      out.ref = (stack.pop()!.i32[0] << 1) >> 1;
      return out;
    case GcOp.AnyConvertExtern:
    case GcOp.ExternConvertAny: // the same JS value in both hierarchies (see runtime/gc.ts)
      out.ref = stack.pop()!.ref;
      return out;
  }
  const layout = layoutOf(inst.module, i.index);
  const take = (n: number) => stack.splice(stack.length - n, n);
  switch (i.op) {
    case GcOp.StructNew:
      out.ref = structFromCells(layout, take(layout.storage.length));
      break;
    case GcOp.StructNewDefault:
      out.ref = structFromCells(layout, null);
      break;
    case GcOp.ArrayNew: {
      const [value, n] = take(2);
      out.ref = arrayFromCells(layout, n.i32[0] >>> 0, () => value);
      break;
    }
    case GcOp.ArrayNewDefault:
      out.ref = arrayFromCells(layout, stack.pop()!.i32[0] >>> 0, () => null);
      break;
    case GcOp.ArrayNewFixed: {
      const cells = take(i.count);
      out.ref = arrayFromCells(layout, i.count, (k) => cells[k]);
      break;
    }
  }
  return out;
}

function arith32(op: number, a: number, b: number): number {
  return op === Op.I32Add ? (a + b) | 0 : op === Op.I32Sub ? (a - b) | 0 : Math.imul(a, b);
}

function arith64(op: number, a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, op === Op.I64Add ? a + b : op === Op.I64Sub ? a - b : a * b);
}

/** Where segment offsets and element initialisers are evaluated (nothing runs in between: never shared). */
const scratch = new GlobalInst(ValType.I32, false);

/** A segment's offset: an unsigned i32, or an unsigned i64 for a 64-bit memory or table (see `Limits`). */
function constOffset(inst: InstanceState, expr: ConstExpr, address64: boolean | undefined): number {
  evalConst(inst, expr, scratch);
  const lo = scratch.i32[0] >>> 0;
  return address64 ? (scratch.i32[1] >>> 0) * 2 ** 32 + lo : lo;
}

function constRef(inst: InstanceState, expr: ConstExpr): unknown {
  scratch.ref = null;
  evalConst(inst, expr, scratch);
  const ref = scratch.ref;
  scratch.ref = null; // holds nothing of the instance after
  return ref;
}

/**
 * Creates an instance of `module` from resolved imports (in import order). Runs active segments
 * and the start function; traps there throw `RuntimeError` as the spec's instantiation does.
 */
export function instantiateModule(
  module: ModuleInfo,
  imports: ExternValue[],
  options: EngineOptions = {},
): InstanceState {
  const inst = new InstanceState(module, options, tiering);
  let k = 0, funcs = 0;
  for (const imp of module.imports) {
    const value = imports[k++];
    switch (imp.desc.kind) {
      case ExternKind.Func:
        inst.funcs[funcs++] = value as FuncInst;
        break;
      case ExternKind.Table:
        inst.tables.push(value as TableInst);
        break;
      case ExternKind.Memory:
        inst.memories.push(value as MemoryInst);
        break;
      case ExternKind.Global:
        inst.globals.push(value as GlobalInst);
        break;
      case ExternKind.Tag:
        inst.tags.push(value as Tag);
        break;
    }
  }
  // The module's own tags: new ones in every instance.
  for (const t of module.tags.slice(module.importedTagCount)) {
    inst.tags.push(newTag(module.types[t], inst.sigIds[t]));
  }
  // The module's own functions are made on first use (`InstanceState.func`): nothing per function here.
  for (const t of module.tables.slice(module.importedTableCount)) {
    if (t.limits.min > MAX_TABLE_SIZE) {
      trap(`table limit: the module needs ${t.limits.min} entries, the limit is ${MAX_TABLE_SIZE}`);
    }
    const table = new TableInst(t.elem, t.limits.min, t.limits.max, null, t.limits.address64 === true);
    table.sigIds = inst.sigIds;
    inst.tables.push(table);
  }
  const cap = options.maxMemoryPages;
  for (const m of module.memories.slice(module.importedMemoryCount)) {
    const limit = Math.min(cap ?? MAX_PAGES, MAX_PAGES); // a 64-bit memory too: 4 GiB at most here
    if (m.limits.min > limit) {
      trap(`memory limit: the module needs ${m.limits.min} pages of 64 KiB, the limit is ${limit}`);
    }
    const max = cap === undefined ? m.limits.max : Math.min(m.limits.max ?? cap, cap);
    try {
      inst.memories.push(new MemoryInst(m.limits.min, max, m.limits.address64 === true));
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      trap(`memory limit: cannot allocate ${m.limits.min} pages of 64 KiB (${e.message})`);
    }
  }
  if (inst.memories.length > 0) inst.mem = inst.memories[0];
  // One buffer holds the cells of all the module's own globals: one allocation, not one per global.
  const cells = module.globals.length > 0 ? new ArrayBuffer(GLOBAL_CELL * module.globals.length) : null;
  for (const [i, g] of module.globals.entries()) {
    const cell = new GlobalInst(g.type.type, g.type.mutable, cells!, i * GLOBAL_CELL);
    evalConst(inst, g.init, cell);
    cell.sigIds = inst.sigIds;
    inst.globals.push(cell);
  }
  // Tables with an initialiser (typed function references): after the globals it may read.
  module.tables.forEach((t, i) => {
    if (t.init !== undefined) inst.tables[i].elements.fill(constRef(inst, t.init));
  });
  inst.elems = module.elems.map((seg) =>
    seg.funcIndices ? seg.funcIndices.map((f) => inst.func(f)) : seg.init.map((e) => constRef(inst, e))
  );
  inst.datas = module.datas.map((d) => module.bytes.subarray(d.start, d.end));
  if (options.lowering === "eager") {
    // Compiled to JS, or lowered to threaded code when the JS tier does not take the function.
    for (let x = module.importedFuncCount; x < inst.funcs.length; x++) {
      const f = inst.func(x) as WasmFunc;
      if (compileNow(f) === null) lowerFunction(f);
    }
  }

  // Active element segments, then data segments, in order; a failing one traps (earlier ones stay).
  module.elems.forEach((seg, i) => {
    if (seg.mode === SegmentMode.Active) {
      const table = inst.tables[seg.table];
      const offset = constOffset(inst, seg.offset!, module.tables[seg.table].limits.address64);
      const items = inst.elems[i];
      if (offset + items.length > table.elements.length) trap("out of bounds table access");
      for (let j = 0; j < items.length; j++) table.elements[offset + j] = items[j];
    }
    if (seg.mode !== SegmentMode.Passive) inst.elems[i] = [];
  });
  module.datas.forEach((seg, i) => {
    if (seg.mode !== SegmentMode.Active) return;
    const mem = inst.memories[seg.memory];
    const offset = constOffset(inst, seg.offset!, module.memories[seg.memory].limits.address64);
    const data = inst.datas[i];
    if (offset + data.length > mem.size) trap("out of bounds memory access");
    mem.u8.set(data, offset);
    inst.datas[i] = new Uint8Array(0);
  });
  if (module.start !== undefined) {
    // The start function takes no arguments and returns nothing.
    const start = inst.func(module.start);
    inst.meter?.enter();
    try {
      if (start instanceof WasmFunc) execute(start, machine.top);
      else {
        const fn = start.callable; // called with `this` undefined, as the JS API does
        fn();
      }
    } catch (e) {
      throw HostThrow.unwrap(e); // back in JS: what a host function threw, unchanged
    } finally {
      inst.meter?.leave();
    }
  }
  return inst;
}
