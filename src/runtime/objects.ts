/**
 * Runtime objects: function, memory, table and global instances, the per-instance state both tiers'
 * code closes over, the engine options, the meter (fuel, timeout, profile) and the `Tiering` interface
 * through which an instance runs its functions. Host functions are in boundary.ts. Pure TypeScript:
 * the JS-API wrappers in `src/api/` sit on top of these.
 */
import type { FuncBody, FuncType, ModuleInfo } from "../wasm/types.ts";
import { isRefType, ValType } from "../wasm/types.ts";
import { canonicalTypeIds, plainTypeId } from "../wasm/type_canon.ts";
import type { HostFunc } from "./boundary.ts";
import type { Tag } from "./exceptions.ts";
import { newTrap, timeoutTrap } from "./trap.ts";
import { DEFAULT_MAX_CALL_DEPTH, timing } from "./machine.ts";
import { MAX_PAGES, PAGE_SIZE } from "../wasm/types.ts";

/**
 * A lowered instruction: runs against the frame based at `b` (32-bit units) of a function of
 * instance `vm`, returns the next pc. Lowered code belongs to the module, shared by its instances:
 * whatever is the instance's own (memory, globals, tables, functions, meter) is read from `vm`.
 */
export type Op = (b: number, vm: InstanceState) => number;

/** Returned by an op instead of a pc: call `pending.fn` with its frame at `pending.argSlot`. */
export const CALL = -1;
/** Returned by an op instead of a pc: the function returns (results already in slots 0..n). */
export const RETURN = -2;
/**
 * Returned by a loop header's op instead of a pc: the function is hot; continue this call in compiled
 * code from the loop at byte offset `callState.osrAt` (on-stack replacement), if the JS tier can.
 */
export const OSR = -3;
/**
 * Returned by a tail call's op (`return_call`, `return_call_indirect`) instead of a pc: the op moved
 * the arguments down to the frame's base; `callState.fn` (a wasm or a host function) replaces the frame.
 */
export const TAIL = -4;

/** Heat a function starts with when the JS tier takes functions once they are hot (see `tierUp`). */
export const DEFAULT_TIER_UP = 20_000;
/**
 * The host runs JavaScript without a JIT (`--v8-flags=--jitless`, where V8 has no WebAssembly either):
 * there our closures run no faster than compiled JS in V8's own interpreter, and compiling is only
 * a parse, so by default every function is compiled at its first call (kernels 15–30 % faster).
 */
const JITLESS_HOST = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === "undefined";

/**
 * Wasm bytes of a function body above which its whole compiled copy would never be optimized by V8:
 * Maglev and TurboFan leave a function of more than 60 KB of bytecode (`--max-optimized-bytecode-size`)
 * to the baseline tier, which runs our code no faster than the interpreter, and our JS comes to 5–6.6
 * bytes of V8 bytecode per byte of wasm (measured on nextpnr's biggest functions). Such a function
 * stays interpreted, and each of its hot loops gets code of its own (engine/tiering.ts `loopCode`), small enough
 * for V8 to optimize, unless it is called often (`HUGE_CALLS` there): then it compiles whole after all. Only where loops tier up (`tierUp` above 0): else, and without a JIT, it compiles whole.
 */
export const HUGE_BODY_BYTES = 10_000;

/** Heat one interpreted call spends; one loop iteration spends 1. */
export const CALL_HEAT = 100;
/**
 * Heat a function has beyond `tierUp` per byte of its code: compiling it costs in proportion to its
 * size, so a big function must run longer on the interpreter before it pays (measured on the real
 * programs of bench/real: 50 gave the best geometric mean of 0, 20, 50, 100 and 300).
 */
export const HEAT_PER_BYTE = 50;
/**
 * Code (bytes of function bodies) below which a module's functions are compiled at their first call
 * by default. All that runs of a small module compiles in little time and pays back soon, in a single
 * run and most of all in a module with many instances (a job each: what the first job compiles serves
 * every later one). Measured (bench/real, bench/instances; docs/RATIONALE.md): compiling at the first
 * call made icepll (0.06 MB) 2× faster per job and icepack (0.33 MB) 15–25 % faster, flite (0.2 MB)
 * the same; nextpnr (1.7 MB) went from 1.4× to 1.7–1.9× node:wasi's peak RSS and was not faster.
 */
export const SMALL_MODULE_CODE_BYTES = 1 << 20;

/**
 * Structural identity of a function type that names no type index (see wasm/type_canon.ts), so
 * `call_indirect` compares one integer.
 */
export function signatureId(type: FuncType): number {
  return plainTypeId(type);
}

const sigIdsOfModules = new WeakMap<ModuleInfo, number[]>();

/** The signature id of each of the module's types, worked out once per module. */
export function signatureIds(module: ModuleInfo): number[] {
  let ids = sigIdsOfModules.get(module);
  if (ids === undefined) sigIdsOfModules.set(module, ids = canonicalTypeIds(module.types));
  return ids;
}

/** Options an instance is created with (the optional extra argument of the API). */
export interface EngineOptions {
  /** Maximum wasm call depth before "call stack exhausted" (default 30,000). */
  maxCallDepth?: number;
  /** Prepare every function (compile it to JS, or lower it) at instantiation instead of on its first call. */
  lowering?: "lazy" | "eager";
  /**
   * Budget of executed work, in wasm instructions (each reachable one counts 1, `end` included): a
   * function entry charges its instructions outside every loop, and each iteration of a loop
   * charges every instruction inside that loop (an inner loop's too, besides its own iterations).
   * Deterministic on both tiers (tests/fuel_test.ts). Past it: trap "fuel exhausted".
   */
  fuel?: number;
  /** Wall-clock limit per call from JS into the instance (checked at calls and loop back-edges). */
  timeoutMs?: number;
  /** Cap on every memory the module defines, in 64 KiB pages: `memory.grow` past it returns -1. */
  maxMemoryPages?: number;
  /** Count executed instructions per function (see `profileOf`). */
  profile?: boolean;
  /**
   * Compile functions to JavaScript (default true). With `false`, everything runs on the threaded-code
   * interpreter. Both count fuel alike.
   */
  jit?: boolean;
  /**
   * When the JS tier takes a function: after this much work on the interpreter, where each call
   * counts 100 and each loop iteration 1. By default 20,000 plus 50 per byte of the function's code
   * (compiling a big function costs more), and 0 in a module of less than 1 MiB of code
   * (`SMALL_MODULE_CODE_BYTES`) or on a host without a JIT (`--jitless`); a number given here is the
   * budget of every function. A function whose loop gets hot in the middle of a call continues that
   * call in compiled code from the loop's start (on-stack replacement). 0 compiles every function at
   * its first call. Ignored with `jit: false`.
   */
  tierUp?: number;
}

const CHUNK = 2 ** 28;

/**
 * Work accounting for fuel, timeouts and profiling. Present only when one of them is asked for, so
 * that code lowered without it carries no checks at all.
 */
export class Meter {
  /**
   * Fuel is spent from a chunk of at most 2^28 units: `left` stays a small integer (a V8 "Smi"),
   * so the hot check never stores a heap number; `used` is updated only when a chunk runs out.
   */
  left = 0;
  private chunk = 0;
  private spent = 0;
  readonly limit: number;
  readonly timeoutMs: number;
  deadline = Infinity;
  /** Calls from JS currently running in the instance (the deadline is set by the outermost). */
  active = 0;
  private tick = 0;
  /** Instructions charged per function index, when profiling. */
  readonly perFunction: Map<number, number> | null;
  /** Only fuel is asked for: the lowering then inlines the check. */
  readonly fuelOnly: boolean;
  constructor(options: EngineOptions) {
    this.limit = options.fuel ?? Infinity;
    this.timeoutMs = options.timeoutMs ?? Infinity;
    this.perFunction = options.profile ? new Map() : null;
    this.fuelOnly = !options.profile && options.timeoutMs === undefined;
  }

  /** Units charged so far. */
  get used(): number {
    return this.spent + this.chunk - this.left;
  }

  /** Called when `left` went negative: books the chunk, traps past the limit, starts a new chunk. */
  refill(): void {
    this.spent += this.chunk - this.left;
    this.chunk = this.left = 0;
    if (this.spent > this.limit) trap("fuel exhausted");
    this.chunk = this.left = Math.min(this.limit - this.spent, CHUNK);
  }

  static wanted(options: EngineOptions): boolean {
    return options.fuel !== undefined || options.timeoutMs !== undefined || options.profile === true;
  }

  /** Charges `n` instructions executed by function `fn`; traps when a limit is passed. */
  charge(n: number, fn: number): void {
    if ((this.left -= n) < 0) this.refill();
    if (this.perFunction) this.perFunction.set(fn, (this.perFunction.get(fn) ?? 0) + n);
    // Reading the clock costs more than the rest: look at it every 256 charges only.
    if (this.deadline !== Infinity && ++this.tick >= 256) {
      this.tick = 0;
      if (performance.now() > this.deadline) timeoutTrap(this.timeoutMs);
    }
  }

  /** A call from JS into the instance starts (paired with `leave`, in a `finally`). */
  enter(): void {
    if (this.timeoutMs === Infinity) {
      this.active++;
      return;
    }
    if (this.active++ === 0) this.deadline = performance.now() + this.timeoutMs;
    // This call is now the innermost with a timeout: its deadline binds after host calls.
    outerDeadlines.push(timing.deadline, timing.timeoutMs);
    timing.deadline = this.deadline, timing.timeoutMs = this.timeoutMs;
  }

  /** The call from JS started by the matching `enter` has ended. */
  leave(): void {
    if (this.timeoutMs !== Infinity) {
      timing.timeoutMs = outerDeadlines.pop()!, timing.deadline = outerDeadlines.pop()!;
    }
    if (--this.active === 0) this.deadline = Infinity;
  }
}

/** The deadlines and timeouts of the enclosing calls with a timeout, in pairs, innermost last. */
const outerDeadlines: number[] = [];

/**
 * The deadline, in `performance.now()` milliseconds, of the innermost call from JS now running in
 * an instance created with `timeoutMs`; Infinity when there is none. A host function (a blocking
 * read, a sleep) can use it to stop waiting in time: when it returns to wasm code after the
 * deadline, the call traps "timeout: …" at once. Calls nested inside such a call (through host
 * functions, into instances without limits) report the enclosing call's deadline.
 */
export function currentDeadline(): number {
  return timing.deadline;
}

export class InstanceState {
  /**
   * The function space by index: the imports, then the module's own functions as they are first
   * asked for (`func`), so that instantiating does nothing per function. Read it through `func`.
   */
  funcs: (FuncInst | undefined)[];
  tables: TableInst[] = [];
  memories: MemoryInst[] = [];
  /** Memory 0 (what the memory instructions of Wasm 2.0 address), or an empty one when there is none. */
  mem: MemoryInst = NO_MEMORY;
  globals: GlobalInst[] = [];
  /** Exception tags (imports first). */
  tags: Tag[] = [];
  /** Signature id of every type index. */
  sigIds: number[];
  /** Element segments' references; emptied by `elem.drop` (and after active/declarative init). */
  elems: unknown[][] = [];
  /** Data segments' bytes; emptied by `data.drop` (and after active init). */
  datas: Uint8Array[] = [];
  maxCallDepth: number;
  /** Fuel, timeout and profile accounting; null when none is asked for. */
  readonly meter: Meter | null;
  /** Functions are compiled to JS (else all of them run on the interpreter). */
  readonly jit: boolean;
  /** The heat each function starts with: 0 compiles at the first call (see `EngineOptions.tierUp`). */
  readonly tierUp: number;
  /**
   * Interpreted work each function (by index) may still do before it is compiled. Shared by the
   * module's instances with the same `tierUp`: what runs in every job gets hot across jobs, and the
   * module's compiled code then serves the next ones.
   */
  readonly heat: Float64Array;
  constructor(readonly module: ModuleInfo, readonly options: EngineOptions, readonly tiering: Tiering) {
    this.sigIds = signatureIds(module);
    this.maxCallDepth = options.maxCallDepth ?? DEFAULT_MAX_CALL_DEPTH;
    this.meter = Meter.wanted(options) ? new Meter(options) : null;
    this.jit = options.jit !== false;
    const byDefault = options.tierUp === undefined && !JITLESS_HOST;
    this.tierUp = this.jit ? Math.max(0, options.tierUp ?? (JITLESS_HOST ? 0 : DEFAULT_TIER_UP)) : Infinity;
    this.heat = this.jit ? sharedHeat(module, this.tierUp, byDefault) : NO_HEAT;
    this.funcs = new Array(module.importedFuncCount + module.funcs.length);
  }

  /** Function `x` of the function space; one of the module's own is made on its first use. */
  func(x: number): FuncInst {
    return this.funcs[x] ?? this.ownFunc(x);
  }

  private ownFunc(x: number): WasmFunc {
    const module = this.module, body = module.funcs[x - module.importedFuncCount], t = body.typeIndex;
    const f = new WasmFunc(module.types[t], this.sigIds[t], this, x, body);
    this.funcs[x] = f;
    return f;
  }
}

const NO_HEAT = new Float64Array(0);
const heatOfModules = new WeakMap<ModuleInfo, Map<number, Float64Array>>();

/**
 * The heat of every function of `module` for instances whose budget is `tierUp`: exactly that when
 * the instance asked for it; by default (`bySize`), plus HEAT_PER_BYTE per byte of each function's
 * code, and none for a module of less than SMALL_MODULE_CODE_BYTES of code.
 */
function sharedHeat(module: ModuleInfo, tierUp: number, bySize: boolean): Float64Array {
  let byBudget = heatOfModules.get(module);
  if (byBudget === undefined) heatOfModules.set(module, byBudget = new Map());
  const key = bySize ? -1 : tierUp;
  let heat = byBudget.get(key);
  if (heat === undefined) {
    heat = new Float64Array(module.importedFuncCount + module.funcs.length).fill(tierUp);
    if (bySize) {
      const base = module.importedFuncCount;
      let code = 0;
      for (const b of module.funcs) code += b.codeEnd - b.codeStart;
      if (code >= SMALL_MODULE_CODE_BYTES) {
        module.funcs.forEach((b, i) => heat![base + i] = tierUp + HEAT_PER_BYTE * (b.codeEnd - b.codeStart));
      } else heat.fill(0);
    }
    byBudget.set(key, heat);
  }
  return heat;
}

/**
 * How an instance runs its functions: which code runs a function, compiled to JS or lowered for the
 * interpreter on first use. Implemented by engine/tiering.ts and handed to every `InstanceState`, so
 * that the tiers need not know each other.
 */
export interface Tiering {
  /** The compiled code of `f`, compiling it on first use; null when `f` runs on the interpreter. */
  compiled(f: WasmFunc): CompiledCode | null;
  /** Runs `f` on the interpreter with its frame (arguments in place) at absolute slot `slot`. */
  interpret(f: WasmFunc, slot: number): void;
  /**
   * A call from compiled code to `f` before its own code is known (its first `entry`); returns what
   * compiled code returns (see `CompiledCode`). With `args`, a direct call (see `WasmFunc.invoke`): the
   * arguments are those, not the frame's, the caller's room is `jsLeft` and `depthLeft`, and the
   * result is returned.
   */
  call(f: WasmFunc, slot: number, args?: unknown[], jsLeft?: number, depthLeft?: number): unknown;
  /**
   * The compiled code of hot `f` that can take over a running call at its loop at byte offset
   * `loopAt` (called as `code(slot, 1)`, see `WasmFunc.jit`); null when it cannot.
   */
  osr(f: WasmFunc, loopAt: number): CompiledCode | null;
}

/**
 * A function's compiled code: its frame (arguments in place) at slot `s`. Called with `osr` = 1 by
 * the interpreter to continue a running call from the loop the code was compiled to enter (the
 * frame's locals then in place too); it returns 1 when it cannot take the call (no JS stack left),
 * which the interpreter then goes on running. It returns undefined when the call is done (results
 * in place), or a function (`FuncInst`) after a tail call: the code left the callee's arguments at
 * `s`, and whoever called it must run that function at `s` in its place (and again while such a
 * function comes back), which keeps tail recursion flat. The code of a function that `directCallable`
 * (jit/compile.ts) allows, without an OSR entry, takes direct calls instead, `code(s, jsLeft,
 * depthLeft, ...args)` (see `WasmFunc.invoke`): its `WasmFunc.jit` is then an adapter.
 *
 * Called with its frame, the code reads the call depth and JS stack of its caller in `machine`
 * (`depth`, `jsStack`), which must be exact then. It does not keep them: compiled code counts its
 * frames in its own JS variables and writes the registers only before it calls code that reads them.
 * So whoever calls compiled code other than compiled code puts them back when it returns.
 */
export type CompiledCode = (
  s: number,
  osrOrJsLeft?: number,
  depthLeft?: number,
  ...args: unknown[]
) => unknown;

/** A function defined by a wasm module; lowered to threaded code on its first call, compiled to JS when hot. */
export class WasmFunc {
  readonly kind = "wasm";
  /** Compiled to JS: undefined until tried, null when it stays on the interpreter. */
  jit: CompiledCode | null | undefined = undefined;
  /** The loop (byte offset) its compiled code can enter a running call at, or -1. */
  osrAt = -1;
  /** Bytes of JS stack a call of the compiled function may take. */
  jsCost = 0;
  /**
   * How compiled code calls this function (as a method: `f.entry(s)`): its frame (arguments in place)
   * at slot `s`. At first one shared function that asks the tiering; the compiled code once there is
   * (for code that takes direct calls only, an adapter to it: engine/frame_entry.ts). Returns what
   * compiled code returns: a function to run at `s` in its place after a tail call.
   */
  entry: (s: number) => unknown = firstEntry;
  /**
   * A direct call, `f.invoke(s, jsLeft, depthLeft, ...args)`: the arguments as JS values (an i64 as
   * two int32 halves, low first; an f32 as a number), the result back as the value returned (an
   * i64's low half, its high half in `i64Hi.v`); the frame at `s` is still the callee's. `jsLeft` and
   * `depthLeft` are the bytes of JS stack (of `JS_BUDGET`) and the call depth (to `machine.limit`)
   * the caller leaves: compiled code passes them along instead of counting in `machine` (see
   * `CompiledCode`). Compiled code calls so the functions that `directCallable` (jit/compile.ts)
   * allows: neither imports nor functions that may end in a tail call, and at most one result. At
   * first one shared function that asks the tiering; the compiled code once there is.
   */
  invoke: (s: number, jsLeft: number, depthLeft: number, ...args: unknown[]) => unknown = firstInvoke;
  /**
   * Its lowered code, shared with the module's other instances; null before the first interpreted
   * call, and again once let go for not running a while (interp/lower.ts `letGoOfColdCode`).
   */
  code: Op[] | null = null;
  /** The period of lowering in which its lowered code last started a call (see `letGoOfColdCode`). */
  usedIn = 0;
  /** Byte offset in the module of the instruction behind each pc (for backtraces). */
  offsets: Int32Array | null = null;
  /**
   * Where the run loop goes on when code that ran one of its loops leaves it (see interp/lower.ts
   * `Lowerer.labels`), and the frame slot of operand stack height 0, where that code leaves the values
   * a branch out carries. Set with `code`; `labels` only for a huge function (`HUGE_BODY_BYTES`) in an
   * instance that tiers up.
   */
  labels: Int32Array | null = null;
  stackBase = 0;
  /**
   * For a function too big for a whole compiled copy (`HUGE_BODY_BYTES`): each hot
   * loop's compiled code by the loop's byte offset, or the iterations still to go before it compiles,
   * or null when it stays interpreted.
   */
  loopUnits: Map<number, CompiledCode | number | null> | null = null;
  /** Its interpreted calls so far, counted while it tiers up by its loops. */
  calls = 0;
  /**
   * The exception handlers of its lowered code (`try_table`, legacy `try`), which the run loop looks
   * up when an exception reaches the frame; null when it has none. Set with `code`.
   */
  handlers: HandlerTable | null = null;
  /** Slots a frame needs: parameters, locals and the deepest operand stack. */
  frameSize = 0;
  /** Entering needs no set-up: no locals beyond the parameters, no constant pool, no metering. */
  plainEntry = false;
  /** Instructions outside loops: what a call charges when the instance is metered. */
  entryCost = 1;
  /** Constant pool of the frame, as (slot·2, low, high) triples written at every entry. */
  poolInit: Int32Array = NO_POOL;
  readonly nParams: number;
  readonly nLocals: number;
  /** Local slots (beyond the parameters) that hold references and must start as null. */
  readonly refLocals: readonly number[] = NONE;
  /** Local slots (beyond the parameters) that hold v128 values and must start as zero. */
  readonly v128Locals: readonly number[] = NONE;
  /** The exported JS function, created once so that identity is stable. */
  jsFunction?: (...args: unknown[]) => unknown;
  constructor(
    readonly type: FuncType,
    readonly sigId: number,
    readonly inst: InstanceState,
    readonly index: number,
    readonly body: FuncBody,
  ) {
    this.nParams = type.params.length;
    this.nLocals = this.nParams + body.locals.length;
    if (!inst.jit) this.jit = null; // so that no call asks the tiering again
    if (body.locals.length > 0) {
      const shape = localShape(inst.module, index, body, this.nParams);
      this.refLocals = shape.refLocals;
      this.v128Locals = shape.v128Locals;
    }
  }
}

/** Which local slots of a function must start as null or as a zero v128 (the same for every instance). */
interface LocalShape {
  refLocals: readonly number[];
  v128Locals: readonly number[];
}

const localShapes = new WeakMap<ModuleInfo, LocalShape[]>();

/** The local shape of function `index` of `module`, worked out by its first instance. */
function localShape(module: ModuleInfo, index: number, body: FuncBody, nParams: number): LocalShape {
  let shapes = localShapes.get(module);
  if (shapes === undefined) localShapes.set(module, shapes = []);
  return shapes[index] ??= {
    refLocals: localSlots(body, nParams, isRefType),
    v128Locals: localSlots(body, nParams, (t) => t === ValType.V128),
  };
}

function localSlots(body: FuncBody, nParams: number, wanted: (t: ValType) => boolean): readonly number[] {
  const found: number[] = [];
  body.locals.forEach((t, i) => wanted(t) && found.push(nParams + i));
  // A big module has a hundred thousand functions: those without such locals share one empty list.
  return found.length === 0 ? NONE : found;
}

const NO_POOL = new Int32Array(0);
const NONE: readonly number[] = Object.freeze([]);

/** Every WasmFunc's first `entry`: shared, so that a module's hundred thousand functions make no closures. */
function firstEntry(this: WasmFunc, s: number): unknown {
  return this.inst.tiering.call(this, s);
}

/** `WasmFunc.invoke` until the function has code that takes direct calls. */
function firstInvoke(
  this: WasmFunc,
  s: number,
  jsLeft: number,
  depthLeft: number,
  ...args: unknown[]
): unknown {
  return this.inst.tiering.call(this, s, args, jsLeft, depthLeft);
}

export type FuncInst = WasmFunc | HostFunc;

/**
 * One handler region of lowered code: the pcs `[start, end)` of a `try_table`'s or a legacy `try`'s
 * body. An exception thrown there is matched against `clauses` in order; when none matches, it goes
 * on to `next` (the region around, or for a legacy `delegate` the one its label names), or leaves the
 * function when that is -1.
 */
export interface HandlerRegion {
  start: number;
  end: number;
  /**
   * Per clause, three numbers: the tag index (-1: any exception), whether the label also gets the
   * exnref (1) or, for a legacy `catch`, the exnref is kept for `rethrow` (2), and the pc to go on at.
   */
  clauses: number[];
  /** Where the caught values go (relative slot): the tag's values, then the exnref when asked. */
  dst: number;
  /** For a legacy `try`'s handlers: the relative slot keeping the exnref for `rethrow`. */
  exnSlot: number;
  next: number;
}

/** A function's handler regions, innermost first (a region lies inside those after it, or apart). */
export type HandlerTable = HandlerRegion[];

/** Largest table we create or grow to (V8's limit too): bigger ones would only exhaust the host. */
export const MAX_TABLE_SIZE = 10_000_000;

/** Typed-array views read memory in the host's byte order, which must be wasm's (little-endian). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The key of the getter by which a `Memory` of ours gives its bytes to our WASI host without handing
 * them to JS (`MemoryInst.exposedBuffer`); a registered symbol, so that the host (src/wasi/memory.ts)
 * needs nothing of the engine.
 */
export const ENGINE_BYTES: unique symbol = Symbol.for("wasmrun.engineBytes") as never;

/** What a built-in `WebAssembly.Memory` offers us: its bytes, and growth in place. */
export interface ByteStore {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(delta: number): number;
}

/** What `new WebAssembly.Memory` takes, of what we give it. */
interface StoreDescriptor {
  initial: number;
  maximum?: number;
  shared?: boolean;
}

/**
 * The host's own `WebAssembly.Memory`, when there is one (not under `--jitless`, where V8 has no
 * WebAssembly): a byte store that grows in place, as V8 reserves its address space up front.
 */
const BuiltinMemory: (new (descriptor: StoreDescriptor) => ByteStore) | undefined = (() => {
  const M = (globalThis as { WebAssembly?: { Memory?: unknown } }).WebAssembly?.Memory;
  // Only V8's own: a namespace put in its place (ours, say) would not be a byte store.
  if (typeof M !== "function" || !Function.prototype.toString.call(M).includes("[native code]")) {
    return undefined;
  }
  return M as new (descriptor: StoreDescriptor) => ByteStore;
})();

/** Smallest address space reserved for a memory without a built-in byte store (see `MemoryInst`). */
const MIN_RESERVATION = 16 * 1024 * 1024;

/**
 * Built-in byte stores alive at once, at most. Each reserves gigabytes of address space and a few
 * memory mappings, released only when the collector gets to it: thousands of short-lived instances
 * could exhaust the process's mappings before that (V8 then dies of "out of memory").
 */
const MAX_STORES = 1024;
let liveStores = 0;
const storeReleased = new FinalizationRegistry<null>(() => liveStores--);

/**
 * A linear memory. Accesses go through typed-array views when the address is aligned (much cheaper
 * than the DataView) and through the DataView otherwise; every view is replaced when memory grows.
 *
 * A memory starts as a plain ArrayBuffer of its initial size, which is all most instances ever
 * need. The first growth moves the bytes (once) to where they can grow without being copied again:
 * a built-in `WebAssembly.Memory` used as a byte store, when the host has one (V8 reserves its
 * address space, so growth is in place).
 *
 * Until JS asks for `buffer` (the JS API's `Memory.buffer`), that store is a *shared* memory, whose
 * SharedArrayBuffer growth never detaches, and the first growth leaves the plain buffer as it is
 * (nobody else holds it). Detaching a buffer that has a DataView makes V8 give up, for the whole
 * process, an assumption that Maglev (its middle tier) needs to compile a DataView access inline:
 * from then on every memory access of code that Maglev compiled is a call (3.5x slower; a program's
 * long calls that V8 leaves in Maglev code ran 2.7x slower). Once JS has seen `buffer`, the bytes move
 * (once) to a store of the usual kind, whose `buffer` is an ArrayBuffer detached on growth, as the JS
 * API requires. Our own WASI host reads the bytes without that (`ENGINE_BYTES`).
 *
 * Without a built-in memory (V8 run with `--jitless`), `buffer` becomes a
 * resizable ArrayBuffer reserving twice the size needed (at least 16 MiB, at most the maximum): growth
 * within the reservation is in place, and past it the bytes move once to a buffer reserving twice as
 * much, the old one shrinking to length 0, so growing a page at a time costs amortised O(1) per byte.
 * With MAX_STORES byte stores alive, a further memory grows by copying (`ArrayBuffer.transfer`).
 */
export class MemoryInst {
  /** The bytes: a SharedArrayBuffer only in a shared store, never seen by JS (`exposedBuffer`). */
  buffer: ArrayBuffer | SharedArrayBuffer;
  view!: DataView;
  u8!: Uint8Array;
  i8!: Int8Array;
  i16!: Int16Array;
  u16!: Uint16Array;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  /** Current size in bytes. */
  size = 0;
  /** Called after the buffer was replaced by `grow` (the API object refreshes its `buffer`). */
  onGrow?: () => void;
  /** The built-in memory holding the bytes once the memory has grown (when the host has one). */
  private store: ByteStore | null = null;
  /** Whether `store` is a shared memory of ours (made while JS had not seen `buffer`). */
  private storeShared = false;
  /** Whether JS has been given `buffer`, which must then be detached when the memory grows. */
  private exposed = false;
  /** Throws RangeError when the host cannot allocate `pages`. `address64`: a memory64 memory. */
  constructor(pages: number, readonly max: number | undefined, readonly address64 = false) {
    this.buffer = new ArrayBuffer(pages * PAGE_SIZE);
    this.refresh();
  }

  /** A resizable buffer of `bytes` bytes reserving room to grow (no built-in byte store). */
  private reserve(bytes: number): ArrayBuffer {
    const cap = Math.min(this.max ?? MAX_PAGES, MAX_PAGES) * PAGE_SIZE;
    const room = Math.min(Math.max(2 * bytes, MIN_RESERVATION), cap);
    return new ArrayBuffer(bytes, { maxByteLength: Math.max(room, bytes) });
  }

  /**
   * `buffer` for JS (the JS API's `Memory.buffer`): an ArrayBuffer, detached when the memory grows.
   * The first call moves bytes held in a shared store to one of the usual kind.
   */
  exposedBuffer(): ArrayBuffer {
    this.exposed = true;
    if (this.storeShared) {
      const store = this.makeStore(this.size, false);
      new Uint8Array(store.buffer).set(this.u8);
      this.useStore(store);
    }
    return this.buffer as ArrayBuffer;
  }

  private refresh(): void {
    const b = this.buffer;
    const n = b.byteLength;
    // Explicit lengths: views of a resizable buffer would otherwise track its length.
    this.view = new DataView(b, 0, n);
    this.u8 = new Uint8Array(b, 0, n);
    this.i8 = new Int8Array(b, 0, n);
    this.i16 = new Int16Array(b, 0, n / 2); // n is a multiple of 64 KiB, up to 4 GiB: no shifts
    this.u16 = new Uint16Array(b, 0, n / 2);
    this.i32 = new Int32Array(b, 0, n / 4);
    this.f32 = new Float32Array(b, 0, n / 4);
    this.f64 = new Float64Array(b, 0, n / 8);
    this.size = n;
  }

  get pages(): number {
    return this.size / PAGE_SIZE;
  }

  /** Grows by `delta` pages; returns the old size in pages, or -1 when the limit or the host refuses. */
  grow(delta: number): number {
    const old = this.pages;
    const pages = old + delta;
    if (pages > (this.max ?? MAX_PAGES) || pages > MAX_PAGES) return -1;
    if (delta === 0) return old;
    try {
      this.buffer = this.grown(pages * PAGE_SIZE);
    } catch {
      return -1; // the host could not allocate: memory.grow fails, the guest goes on
    }
    this.refresh();
    this.onGrow?.();
    return old;
  }

  /** The buffer of `bytes` bytes holding the current contents; the old one is detached or emptied. */
  private grown(bytes: number): ArrayBuffer | SharedArrayBuffer {
    const b = this.buffer;
    if (this.store !== null) {
      this.store.grow((bytes - this.size) / PAGE_SIZE); // detaches the old buffer (unless shared)
      return this.store.buffer;
    }
    if (b instanceof ArrayBuffer && b.resizable) {
      if (bytes <= b.maxByteLength) {
        b.resize(bytes);
        return b;
      }
      const next = this.reserve(bytes);
      new Uint8Array(next).set(new Uint8Array(b, 0, this.size));
      b.resize(0);
      return next;
    }
    // A plain buffer, growing for the first time (or one of too many).
    const plain = b as ArrayBuffer;
    if (BuiltinMemory === undefined) {
      const next = this.reserve(bytes);
      new Uint8Array(next).set(new Uint8Array(plain));
      plain.transfer(); // detached, as the JS API wants of the buffer a memory had before growing
      return next;
    }
    if (liveStores >= MAX_STORES) return plain.transfer(bytes);
    const shared = !this.exposed && !this.address64;
    const store = this.makeStore(bytes, shared);
    new Uint8Array(store.buffer).set(new Uint8Array(plain));
    if (this.exposed) plain.transfer(); // as the JS API wants of the buffer JS had
    liveStores++;
    storeReleased.register(this, null);
    this.store = store;
    this.storeShared = shared;
    return store.buffer;
  }

  /** A built-in memory of `bytes` bytes (the host has one); a shared one needs a maximum. */
  private makeStore(bytes: number, shared: boolean): ByteStore {
    const maximum = this.max ?? (shared ? MAX_PAGES : undefined);
    return new BuiltinMemory!({
      initial: bytes / PAGE_SIZE,
      ...(maximum === undefined ? {} : { maximum }),
      ...(shared ? { shared } : {}),
    });
  }

  /**
   * A new `buffer` object for the same bytes, the old one detached: what the JS API's
   * `Memory.grow(0)` does. Not possible for a resizable buffer (without a built-in byte store).
   */
  renewBuffer(): void {
    if (this.store !== null) {
      this.store.grow(0);
      this.buffer = this.store.buffer;
    } else if (this.buffer instanceof ArrayBuffer && !this.buffer.resizable) {
      this.buffer = this.buffer.transfer();
    } else return;
    this.refresh();
    this.onGrow?.();
  }

  /**
   * Makes the bytes of `store`, a non-shared built-in Memory, this memory's: one given to our instance
   * (api/foreign.ts; called again, picks up a growth made on the built-in side, which detached our
   * buffer), or the one `exposedBuffer` moved the bytes to.
   */
  useStore(store: ByteStore): void {
    this.store = store;
    this.storeShared = false;
    if (this.buffer === store.buffer) return;
    this.buffer = store.buffer;
    this.refresh();
    this.onGrow?.();
  }
}

/** The `mem` of an instance without memories: no access fits in it (validation allows none anyway). */
const NO_MEMORY = new MemoryInst(0, 0);

export class TableInst {
  elements: unknown[];
  /** The canonical type ids of the module whose type index `elemType` may name (typed references). */
  sigIds?: readonly number[];
  /** `address64`: a table64 table (i64 indices and sizes). */
  constructor(
    readonly elemType: ValType,
    initial: number,
    readonly max: number | undefined,
    init: unknown = null,
    readonly address64 = false,
  ) {
    this.elements = new Array(initial).fill(init);
  }

  get size(): number {
    return this.elements.length;
  }

  /** Grows by `delta` entries filled with `init`; returns the old size or -1. */
  grow(delta: number, init: unknown): number {
    const old = this.elements.length;
    const size = old + delta;
    if (size > (this.max ?? 0xffffffff) || size > MAX_TABLE_SIZE) return -1;
    for (let i = old; i < size; i++) this.elements.push(init);
    return old;
  }
}

/** Bytes of a global's cell: v128 uses all four i32 elements. */
export const GLOBAL_CELL = 16;

/** A global's value is kept as raw bits (bit-exact NaNs), or as `ref` for reference types. */
export class GlobalInst {
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  ref: unknown = null;
  /** The canonical type ids of the module whose type index `type` may name (typed references). */
  sigIds?: readonly number[];
  /** The cell: its own buffer, or `GLOBAL_CELL` bytes at `offset` of one shared by an instance's globals. */
  constructor(
    readonly type: ValType,
    readonly mutable: boolean,
    buffer = new ArrayBuffer(GLOBAL_CELL),
    offset = 0,
  ) {
    this.i32 = new Int32Array(buffer, offset, 4);
    this.f32 = new Float32Array(buffer, offset, 4);
    this.f64 = new Float64Array(buffer, offset, 2);
  }
}

export function trap(message: string): never {
  throw newTrap(message);
}
