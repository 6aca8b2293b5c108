/**
 * Tiering, the one place that knows both tiers. A function starts on the threaded-code interpreter
 * and is compiled to JS once it is hot: each interpreted call spends CALL_HEAT of its heat, each loop
 * iteration 1 (`EngineOptions.tierUp` sets the budget; 0 compiles at the first call). A loop that gets
 * hot in the middle of a call makes the function compile with an entry at that loop, and the call
 * continues there in JS (on-stack replacement). A function the JS tier cannot take (nesting deeper than
 * a JS parser allows) stays on the interpreter, as does everything of an instance created with
 * `jit: false`; compiled code that finds the JS stack full continues on the interpreter. Every
 * instance is handed `tiering` (runtime/objects.ts declares the interface).
 */
import { F64, I32, JS_BUDGET, machine, R } from "../runtime/machine.ts";
import {
  CALL_HEAT,
  type CompiledCode,
  HUGE_BODY_BYTES,
  type InstanceState,
  type Tiering,
  trap,
  type WasmFunc,
} from "../runtime/objects.ts";
import { compileToJs, constGetter, type JsUnit, Unsupported } from "../jit/compile.ts";
import { type ModuleInfo, ValType } from "../wasm/types.ts";
import { env, f32ValueBits, installRealm } from "../jit/support.ts";
import { i64Hi } from "../interp/ops/ops_i64.ts";
import { interpret } from "../interp/run.ts";
import { frameEntry } from "./frame_entry.ts";

/** Functions whose compilation failed unexpectedly (a bug in the JS tier); they ran interpreted. */
export const jitFailures: { index: number; error: unknown }[] = [];

/**
 * Functions that got compiled code (each instance's own count), those left to the interpreter by
 * design, calls taken over by compiled code in the middle of a loop (OSR), and JS sources generated
 * (once per module function and kind of meter: instances share them), in this realm so far.
 */
export const jitCounts = { compiled: 0, unsupported: 0, osr: 0, sources: 0 };

/** A unit's code: given its constants (`K`) and the function (`F`), the function's compiled code. */
export type Factory = (consts: unknown[], fn: WasmFunc) => CompiledCode;

/** A function's JS code as its module owns it: every instance binds it to its own objects. */
interface Unit {
  factory: Factory;
  /** What the code's constants are (`constGetter` keys), and how to get each from an instance. */
  keys: JsUnit["consts"];
  getters: ((inst: InstanceState) => unknown)[];
  jsCost: number;
  /** The code takes direct calls only (see `JsUnit.direct`). */
  direct: boolean;
  /** Read back from the compile cache, not generated in this run. */
  cached: boolean;
}

/**
 * A unit as the compile cache stores it: its key (see `unitKey`), JS stack cost, whether it takes
 * direct calls only, constants and code.
 */
export type SavedUnit = [
  key: number | string,
  jsCost: number,
  direct: boolean,
  consts: string[],
  factory: Factory,
];

/**
 * The compiled units of each module, by function, OSR loop and kind of meter (what the source depends
 * on; see `unitKey`); null for a function the JS tier does not take. Dropped with the module.
 */
const units = new WeakMap<ModuleInfo, Map<number | string, Unit | null>>();

/** What compiled code calls: the JS tier's helpers, and where it goes when it must not go deeper. */
installRealm({ ...env, deep: interpretDeep, deepDirect });

/** Times a loop of a hot huge function is interpreted (iterations) before its own code compiles. */
const LOOP_UNIT_HEAT = 100;
/**
 * Interpreted calls after which a huge function compiles whole after all: one called that often
 * spends much of its time outside its loops, or in loops entered so often that going in and out of
 * their code costs what it gains. Measured: yosys calls its huge functions 4,000 to 30,000 times and
 * was slower by its loops alone (11.4 s -> 14.7-18.2 s); nextpnr's biggest (42 KB) runs in fewer
 * than 32 calls, and nextpnr takes 4.5-5.9 s with 100, 300 or 1,000 here (9.1-9.9 s before).
 */
const HUGE_CALLS = 100;

/** Whether `f` tiers up by its loops alone (see `HUGE_BODY_BYTES`). */
function byLoops(f: WasmFunc): boolean {
  const tierUp = f.inst.tierUp;
  return tierUp > 0 && tierUp !== Infinity && f.body.codeEnd - f.body.codeStart > HUGE_BODY_BYTES;
}

/** The JS code of `f` if it has some or just became hot (compiling it); null while it runs on the interpreter. */
export function compiledCode(f: WasmFunc): CompiledCode | null {
  if (f.jit !== undefined) return f.jit;
  if (f.inst.jit && byLoops(f) && !hasUnit(f)) {
    // Hot by its loops: what its size adds to the heat pays for compiling it whole, which it is not
    // (unless called often, see HUGE_CALLS, or compiled whole already by another instance or a run
    // before: then it starts there).
    if (f.calls++ === 0) f.inst.heat[f.index] = Math.min(f.inst.heat[f.index], f.inst.tierUp);
    if (f.calls <= HUGE_CALLS) return null;
    dropLoopUnits(f);
  }
  // Hot in another instance of the module already: its code is ready, and this instance starts there.
  if ((f.inst.heat[f.index] -= CALL_HEAT) > 0 && !hasUnit(f)) return null;
  return compile(f, -1);
}

/** Whether the module holds compiled code for `f` that calls can use (see `unitOf`). */
function hasUnit(f: WasmFunc): boolean {
  return f.inst.jit && !!units.get(f.inst.module)?.get(unitKey(f, -1));
}

/** The JS code of `f`, compiling it now whatever its heat (`lowering: "eager"`); null when it stays interpreted. */
export function compileNow(f: WasmFunc): CompiledCode | null {
  return f.jit !== undefined ? f.jit : compile(f, -1);
}

/** The code of `f` that can continue a running call at the loop at `loopAt`, compiling it if `f` has none. */
function osrCode(f: WasmFunc, loopAt: number): CompiledCode | null {
  if (f.inst.jit && byLoops(f) && f.jit === undefined) return loopCode(f, loopAt);
  const code = f.jit === undefined ? compile(f, loopAt) : f.jit;
  if (code !== null && f.osrAt === loopAt) {
    jitCounts.osr++;
    return code;
  }
  // Compiled without this entry, or staying interpreted: the loop stops asking (unless the
  // compilation is to be tried again, see `compile`).
  f.inst.heat[f.index] = f.jit === undefined ? CALL_HEAT : Infinity;
  return null;
}

/**
 * Lets go of the code of `f`'s loops (it compiles whole now), in this instance and in the module, so
 * that it is not kept alive for nothing; an instance still using some compiles it again if it must.
 */
function dropLoopUnits(f: WasmFunc): void {
  const byKey = units.get(f.inst.module);
  for (const loopAt of f.loopUnits?.keys() ?? []) byKey?.delete(unitKey(f, loopAt, true));
  f.loopUnits = null;
}

/**
 * The code of huge `f` (see `HUGE_BODY_BYTES`) for its loop at `loopAt` alone, once the loop has been
 * interpreted LOOP_UNIT_HEAT times since `f` got hot (every start of a loop of a hot function asks);
 * null until then, and for a loop that stays interpreted.
 */
function loopCode(f: WasmFunc, loopAt: number): CompiledCode | null {
  const units = f.loopUnits ??= new Map();
  const known = units.get(loopAt) ?? LOOP_UNIT_HEAT;
  if (typeof known !== "number") {
    if (known !== null) jitCounts.osr++;
    return known;
  }
  if (known > 1) {
    units.set(loopAt, known - 1);
    return null;
  }
  const unit = unitOf(f, loopAt, true);
  if (unit === undefined) return null; // to be tried again (see unitOf)
  const code = unit === null ? null : unit.factory(unit.getters.map((get) => get(f.inst)), f);
  units.set(loopAt, code);
  if (code === null) jitCounts.unsupported++;
  else jitCounts.compiled++, jitCounts.osr++;
  return code;
}

/**
 * Gives `f` its compiled code (with an entry at the loop at `loopAt`, when not -1), compiling the
 * module's unit for it first if no instance has yet; null when it stays interpreted.
 */
function compile(f: WasmFunc, loopAt: number): CompiledCode | null {
  f.jit = null;
  if (!f.inst.jit) return null;
  const unit = unitOf(f, loopAt);
  if (unit === undefined) f.jit = undefined; // to be tried again (see unitOf)
  else if (unit === null) jitCounts.unsupported++;
  else {
    const code = unit.factory(unit.getters.map((get) => get(f.inst)), f);
    f.jsCost = unit.jsCost;
    f.osrAt = loopAt;
    if (unit.direct) {
      f.invoke = code;
      f.jit = f.entry = frameEntry(f, code);
    } else {
      f.jit = code;
      // Code with an OSR entry takes its arguments in the frame only: direct calls go on through
      // `callFromCompiled`, which puts them there.
      if (loopAt < 0) f.entry = code;
    }
    jitCounts.compiled++;
  }
  return f.jit ?? null;
}

/**
 * What a function's source depends on: the function, the OSR loop (and whether the code runs only that
 * loop), the kind of meter. A number for
 * code without an OSR entry, the one every call of a cold function asks about (`hasUnit`), so that
 * asking builds no string.
 */
function unitKey(f: WasmFunc, loopAt: number, loopOnly = false): number | string {
  const meter = f.inst.meter === null ? 0 : f.inst.meter.fuelOnly ? 1 : 2;
  return loopAt < 0 ? f.index * 3 + meter : `${f.index} ${loopAt} ${meter}${loopOnly ? LOOP_KEY : ""}`;
}

/** How the key of code for a single loop ends. */
const LOOP_KEY = " loop";

/**
 * The module's unit for `f`: compiled now unless an instance compiled it already; null when the JS
 * tier does not take the function (or failed on it: a bug, recorded); undefined when compiling hit a
 * full JS stack (V8's parser recurses), to be tried again on a later call.
 */
function unitOf(f: WasmFunc, loopAt: number, loopOnly = false): Unit | null | undefined {
  const key = unitKey(f, loopAt, loopOnly);
  let byKey = units.get(f.inst.module);
  if (byKey === undefined) units.set(f.inst.module, byKey = new Map());
  const known = byKey.get(key);
  if (known !== undefined) return known;
  let unit: Unit | null = null;
  try {
    const js = compileToJs(f, loopAt, loopOnly);
    // The same source for every instance of a module: V8 compiles it once and shares the code (a
    // distinct source per compilation would keep every one of them alive in V8's compilation cache).
    const factory = new Function("K", "F", `// wasm function ${f.index}\n${js.source}`) as Factory;
    unit = makeUnit(f.inst.module, [key, js.jsCost, js.direct, js.consts, factory], false);
    jitCounts.sources++;
  } catch (e) {
    if (e instanceof RangeError && e.message.includes("call stack")) return undefined;
    if (!(e instanceof Unsupported)) jitFailures.push({ index: f.index, error: e });
  }
  byKey.set(key, unit);
  return unit;
}

function makeUnit(module: ModuleInfo, [, jsCost, direct, keys, factory]: SavedUnit, cached: boolean): Unit {
  return { factory, keys, getters: keys.map((k) => constGetter(k, module)), jsCost, direct, cached };
}

/**
 * The module's compiled units, as the compile cache stores them; with `fresh`, only those generated
 * in this run (none means that the cache has nothing to add). Not the code of single loops unless
 * `withLoops`: a run that reads the cache compiles V8's code of every unit in it at once, and memory
 * grew by up to 300 MB with them (yosys); the huge functions they belong to start from their whole
 * code when the cache has it.
 */
export function savedUnits(module: ModuleInfo, fresh = false, withLoops = false): SavedUnit[] {
  const saved: SavedUnit[] = [];
  for (const [key, unit] of units.get(module) ?? []) {
    if (unit === null || (fresh && unit.cached)) continue;
    if (!withLoops && typeof key === "string" && key.endsWith(LOOP_KEY)) continue;
    saved.push([key, unit.jsCost, unit.direct, unit.keys, unit.factory]);
  }
  return saved;
}

/**
 * Gives the module the units a compile cache read back, for functions that have none yet: their
 * instances bind them on a function's first call instead of interpreting it until it is hot.
 */
export function restoreUnits(module: ModuleInfo, saved: SavedUnit[]): number {
  let byKey = units.get(module);
  if (byKey === undefined) units.set(module, byKey = new Map());
  let restored = 0;
  for (const entry of saved) {
    if (byKey.has(entry[0])) continue;
    byKey.set(entry[0], makeUnit(module, entry, true));
    restored++;
  }
  return restored;
}

/**
 * A call from compiled code to a function not compiled yet (or never compiled). What compiled code
 * returns goes back to the caller: a function to run in its place after a tail call (see
 * `CompiledCode`); the interpreter runs tail calls itself.
 */
function callFromCompiled(
  fn: WasmFunc,
  slot: number,
  args?: unknown[],
  jsLeft = 0,
  depthLeft = 0,
): unknown {
  const code = fn.jit === undefined ? compiledCode(fn) : fn.jit;
  if (args !== undefined) {
    // A direct call: compiled code without an OSR entry takes it as it is (see `directCallable`).
    if (code !== null && fn.osrAt < 0) return fn.invoke(slot, jsLeft, depthLeft, ...args);
    // Else the code or the interpreter reads the caller's room in the machine (see `CompiledCode`).
    return deepDirect(fn, slot, jsLeft, depthLeft, args, code);
  }
  if (code !== null) return code(slot); // its entry sends it to `interpretDeep` when there is no room
  interpretDeep(fn, slot);
}

/**
 * A direct call (see `WasmFunc.invoke`) of a function whose code takes its arguments in the frame
 * (interpreted, or compiled with an OSR entry): the arguments go into the frame, the result comes
 * out of it. Such a function has no tail call to hand back (`directCallable`).
 */
function callWithArgs(fn: WasmFunc, slot: number, args: unknown[], code: CompiledCode | null): unknown {
  const { params, results } = fn.type;
  for (let i = 0, a = 0; i < params.length; i++, a++) {
    switch (params[i]) {
      case ValType.I32:
        I32[2 * (slot + i)] = args[a] as number;
        break;
      case ValType.I64:
        I32[2 * (slot + i)] = args[a++] as number, I32[2 * (slot + i) + 1] = args[a] as number;
        break;
      case ValType.F32:
        I32[2 * (slot + i)] = f32ValueBits(args[a] as number);
        break;
      case ValType.F64:
        F64[slot + i] = args[a] as number;
        break;
      default:
        R[slot + i] = args[a];
    }
  }
  if (code !== null) code(slot);
  else interpretDeep(fn, slot);
  switch (results[0]) {
    case undefined:
      return undefined;
    case ValType.I32:
      return I32[2 * slot];
    case ValType.I64:
      i64Hi.v = I32[2 * slot + 1];
      return I32[2 * slot];
    case ValType.F32:
      return env.f32FromBits(I32[2 * slot]);
    case ValType.F64:
      return F64[slot];
  }
  return R[slot];
}

/**
 * A direct call run with its arguments in the frame, by `code` (compiled with an OSR entry) or else the
 * interpreter, the caller's room put in the machine's registers for it. Compiled code that found no room
 * (out of JS stack, or at the depth limit) comes here too (`E.deepDirect`): one function for every
 * compiled function's rare path, which its source would otherwise spell out.
 */
function deepDirect(
  fn: WasmFunc,
  slot: number,
  jsLeft: number,
  depthLeft: number,
  args: unknown[],
  code: CompiledCode | null = null,
): unknown {
  machine.depth = machine.limit - depthLeft, machine.jsStack = JS_BUDGET - jsLeft;
  return callWithArgs(fn, slot, args, code);
}

/**
 * Compiled code out of JS stack (or at the depth limit) runs the call on the interpreter, its frame
 * one deeper than the caller's, as compiled code's entry counts it.
 */
function interpretDeep(fn: WasmFunc, slot: number): void {
  const depth = machine.depth;
  if (depth >= machine.limit) trap("call stack exhausted");
  machine.depth = depth + 1;
  try {
    interpret(fn, slot);
  } finally {
    machine.depth = depth;
  }
}

/** How every instance runs its functions. */
export const tiering: Tiering = { compiled: compiledCode, interpret, call: callFromCompiled, osr: osrCode };
