/**
 * Fuel, pinned to absolute numbers. Every expected count below is worked out by hand from the rule
 * (src/runtime/objects.ts `EngineOptions.fuel`, README "Library"), never copied from a run:
 *
 * - every instruction the validator sees in reachable code counts 1 (`block`, `loop`, `if`, `else`
 *   and `end` included, the function's final `end` too; a prefixed opcode such as `memory.fill` is one
 *   instruction); code after `br`, `br_table`, `return` or `unreachable` up to the end of its block
 *   counts nothing, the `else`/`end` that closes it included;
 * - a function entry charges the instructions of its body that lie outside every loop (at least 1),
 *   whichever branches then run: an `if` charges both arms;
 * - each loop iteration (the first entry and every branch back to it) charges the loop's own count:
 *   everything between `loop` and its `end` (the `end` included, the `loop` opcode itself not: that
 *   one belongs to the enclosing body). A nested loop lies inside its outer loop, so the outer
 *   iteration charges the inner loop's instructions once more (see "nested loops" below);
 * - calling an imported (host) function charges only the caller's `call`;
 * - the budget is cumulative over the instance; a charge that takes the total past `fuel` traps with
 *   "fuel exhausted" before the work it pays for runs, and is itself counted in `fuelConsumed`.
 *
 * Each program runs on both tiers (JS tier and the interpreter) and with each way of metering (fuel
 * alone uses an inlined counter; with `profile` or `timeoutMs` too the meter's `charge` runs).
 */
import assert from "node:assert/strict";
import { fuelConsumed, type Instance, profileOf, WebAssembly as W } from "../mod.ts";
import { wat } from "./wat.ts";

// Each function is annotated: `;; n` after an instruction is its running count in the function's
// flat (outside-loop) body, `;; Ln` its count in loop L's body.
const PROGRAMS = `(module
  (import "js" "log" (func $log (param i32)))
  (memory 1)

  ;; straight line: local.get, local.get, i32.add, i32.const, i32.sub, end
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0   ;; 1
    local.get 1   ;; 2
    i32.add       ;; 3
    i32.const 1   ;; 4
    i32.sub)      ;; 5, end 6

  ;; both arms of an if are charged on entry, whichever runs
  (func $absdiff (export "absdiff") (param $a i32) (param $b i32) (result i32)
    local.get $a   ;; 1
    local.get $b   ;; 2
    i32.lt_s       ;; 3
    if (result i32) ;; 4
      local.get $b ;; 5
      local.get $a ;; 6
      i32.sub      ;; 7
    else           ;; 8
      local.get $a ;; 9
      local.get $b ;; 10
      i32.sub      ;; 11
    end            ;; 12
  )                ;; end 13

  ;; after return the rest of the if (its end) is unreachable: not counted
  (func $early (export "early") (param $x i32) (result i32)
    local.get $x   ;; 1
    if             ;; 2
      i32.const 1  ;; 3
      return       ;; 4
    end            ;; (unreachable)
    i32.const 2)   ;; 5, end 6

  ;; a call chain: chain -> g -> h, then chain -> h
  (func $h (param i32) (result i32)
    local.get 0   ;; 1
    i32.const 2   ;; 2
    i32.mul)      ;; 3, end 4
  (func $g (param i32) (result i32)
    local.get 0   ;; 1
    call $h       ;; 2
    i32.const 1   ;; 3
    i32.add)      ;; 4, end 5
  (func $chain (export "chain") (param i32) (result i32)
    local.get 0   ;; 1
    call $g       ;; 2
    call $h)      ;; 3, end 4

  ;; the same chain through a table
  (table funcref (elem $h))
  (type $i2i (func (param i32) (result i32)))
  (func $indirect (export "indirect") (param i32) (result i32)
    local.get 0              ;; 1
    i32.const 0              ;; 2
    call_indirect (type $i2i)) ;; 3, end 4

  ;; a host call costs the caller's call only
  (func $host (export "host") (param i32)
    local.get 0   ;; 1
    call $log)    ;; 2, end 3

  ;; counted loop: n iterations for n >= 1
  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    loop $l            ;; 1
      local.get $acc   ;; L1
      local.get $n     ;; L2
      i32.add          ;; L3
      local.set $acc   ;; L4
      local.get $n     ;; L5
      i32.const 1      ;; L6
      i32.sub          ;; L7
      local.tee $n     ;; L8
      br_if $l         ;; L9
    end                ;; L10
    local.get $acc)    ;; 2, end 3

  ;; nested loops: n outer iterations of m inner ones (n, m >= 1)
  (func $nest (export "nest") (param $n i32) (param $m i32) (result i32) (local $j i32) (local $c i32)
    loop $outer          ;; 1
      local.get $m       ;; O1
      local.set $j       ;; O2
      loop $inner        ;; O3
        local.get $c     ;; O4  I1
        i32.const 1      ;; O5  I2
        i32.add          ;; O6  I3
        local.set $c     ;; O7  I4
        local.get $j     ;; O8  I5
        i32.const 1      ;; O9  I6
        i32.sub          ;; O10 I7
        local.tee $j     ;; O11 I8
        br_if $inner     ;; O12 I9
      end                ;; O13 I10
      local.get $n       ;; O14
      i32.const 1        ;; O15
      i32.sub            ;; O16
      local.tee $n       ;; O17
      br_if $outer       ;; O18
    end                  ;; O19
    local.get $c)        ;; 2, end 3

  ;; a loop left by br_if out of an enclosing block: i = 0 .. n, n + 1 iterations
  (func $find (export "find") (param $n i32) (result i32) (local $i i32)
    block $done          ;; 1
      loop $l            ;; 2
        local.get $i     ;; L1
        local.get $n     ;; L2
        i32.ge_u         ;; L3
        br_if $done      ;; L4
        local.get $i     ;; L5
        i32.const 1      ;; L6
        i32.add          ;; L7
        local.set $i     ;; L8
        br $l            ;; L9
      end                ;; (unreachable after br)
    end                  ;; 3
    local.get $i)        ;; 4, end 5

  ;; stores 4 bytes at a, a+4, ... until the store traps
  (func $fill (export "fill") (param $a i32)
    loop $l              ;; 1
      local.get $a       ;; L1
      i32.const 7        ;; L2
      i32.store          ;; L3
      local.get $a       ;; L4
      i32.const 4        ;; L5
      i32.add            ;; L6
      local.set $a       ;; L7
      br $l              ;; L8
    end)                 ;; (unreachable), end 2

  ;; a prefixed (0xfc) instruction counts one
  (func $bulk (export "bulk")
    i32.const 0          ;; 1
    i32.const 0          ;; 2
    i32.const 100        ;; 3
    memory.fill)         ;; 4, end 5
)`;

// The hand-computed table. Entry costs: add 6, absdiff 13, early 6, h 4, g 5, chain 4, indirect 4,
// host 3, sum 3 (+10 per iteration), nest 3 (+19 per outer, +10 per inner iteration), find 5 (+9 per
// iteration), fill 2 (+8 per iteration), bulk 5.
const CASES: { name: string; args: number[]; fuel: number; why: string; trap?: string }[] = [
  { name: "add", args: [1, 2], fuel: 6, why: "6 straight-line instructions" },
  { name: "absdiff", args: [2, 9], fuel: 13, why: "13 whichever arm runs" },
  { name: "absdiff", args: [9, 2], fuel: 13, why: "13 whichever arm runs" },
  { name: "early", args: [1], fuel: 6, why: "6: the end after return is unreachable" },
  { name: "early", args: [0], fuel: 6, why: "6 on the other path too" },
  { name: "chain", args: [3], fuel: 17, why: "chain 4 + g 5 + h 4 + h 4 = 17" },
  { name: "indirect", args: [3], fuel: 8, why: "indirect 4 + h 4 = 8" },
  { name: "host", args: [1], fuel: 3, why: "3: the host function charges nothing" },
  { name: "sum", args: [1], fuel: 13, why: "3 + 10 × 1 = 13" },
  { name: "sum", args: [5], fuel: 53, why: "3 + 10 × 5 = 53" },
  { name: "sum", args: [100], fuel: 1003, why: "3 + 10 × 100 = 1003" },
  { name: "nest", args: [1, 1], fuel: 32, why: "3 + 19 × 1 + 10 × 1 × 1 = 32" },
  { name: "nest", args: [3, 4], fuel: 180, why: "3 + 19 × 3 + 10 × 3 × 4 = 3 + 57 + 120 = 180" },
  { name: "find", args: [0], fuel: 14, why: "5 + 9 × 1 = 14 (br_if leaves in the first iteration)" },
  { name: "find", args: [3], fuel: 41, why: "5 + 9 × 4 = 41" },
  {
    name: "fill",
    args: [65536 - 12],
    fuel: 34,
    why: "stores at 65524, 65528, 65532 succeed, the 4th iteration traps: 2 + 8 × 4 = 34",
    trap: "out of bounds memory access",
  },
  { name: "bulk", args: [], fuel: 5, why: "5: memory.fill is one instruction" },
];

/**
 * The JS tier alone (every function compiled at its first call), the interpreter alone, and the
 * default tiering with a tiny budget: functions move to the JS tier after a few calls or in the
 * middle of a loop (on-stack replacement), so one call runs partly on each tier.
 */
const TIERS = [
  { tier: "JS tier", options: { tierUp: 0 } },
  { tier: "interpreter", options: { jit: false } },
  { tier: "tier-up mid-call", options: { tierUp: 150 } },
];
/** Fuel alone (the inlined counter), and with the meter's full `charge` (profile, timeout). */
const METERS: { label: string; extra: Record<string, unknown> }[] = [
  { label: "fuel", extra: {} },
  { label: "fuel+profile", extra: { profile: true } },
  { label: "fuel+timeout", extra: { timeoutMs: 60_000 } },
];

const imports = { js: { log(_: number) {} } };

function instance(options: Record<string, unknown>): Instance {
  return new W.Instance(new W.Module(wat(PROGRAMS)), imports, options);
}

type Fn = (...args: number[]) => unknown;

/** Asserts that `f` throws a RuntimeError whose message is exactly `message`. */
function traps(f: () => unknown, message: string, note?: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof W.RuntimeError, `${note ?? ""} ${String(e)}`);
    assert.equal((e as Error).message, message, note);
    return true;
  });
}

function call(inst: Instance, name: string, args: number[]): unknown {
  return (inst.exports[name] as Fn)(...args);
}

for (const { tier, options } of TIERS) {
  for (const { label, extra } of METERS) {
    Deno.test({
      name: `fuel (${tier}, ${label}): each program consumes exactly its hand-computed fuel`,
      fn() {
        for (const c of CASES) {
          const inst = instance({ fuel: 1e9, ...options, ...extra });
          if (c.trap) traps(() => call(inst, c.name, c.args), c.trap);
          else call(inst, c.name, c.args);
          assert.equal(fuelConsumed(inst), c.fuel, `${c.name}(${c.args}): ${c.why}`);
        }
      },
    });

    Deno.test({
      name: `fuel (${tier}, ${label}): fuel = expected runs, fuel = expected - 1 traps 'fuel exhausted'`,
      fn() {
        for (const c of CASES) {
          const enough = instance({ fuel: c.fuel, ...options, ...extra });
          if (c.trap) traps(() => call(enough, c.name, c.args), c.trap);
          else call(enough, c.name, c.args);
          assert.equal(fuelConsumed(enough), c.fuel, `${c.name}(${c.args}) with exactly enough`);

          const short = instance({ fuel: c.fuel - 1, ...options, ...extra });
          traps(() => call(short, c.name, c.args), "fuel exhausted", `${c.name}(${c.args}) with one short`);
          // The charge that failed was the last one, the one that completes `c.fuel`: it is booked.
          assert.equal(fuelConsumed(short), c.fuel, `${c.name}(${c.args}): the failing charge is counted`);
        }
      },
    });
  }
}

for (const { tier, options } of TIERS) {
  Deno.test({
    name: `fuel (${tier}): where exactly a loop runs out, and the budget stays spent`,
    fn() {
      // sum(5) charges 3, then 10 per iteration: after k iterations 3 + 10k. With fuel 37 the
      // charges 3, 13, 23, 33 fit and the 5th iteration's (43) does not: it traps before the body
      // runs, with 43 booked.
      const inst = instance({ fuel: 37, ...options });
      traps(() => call(inst, "sum", [5]), "fuel exhausted");
      assert.equal(fuelConsumed(inst), 43);
      // Spent stays spent: the next call's entry charge (add: 6) traps too, and is booked.
      traps(() => call(inst, "add", [1, 2]), "fuel exhausted");
      assert.equal(fuelConsumed(inst), 49);

      // Cumulative over calls: add (6) + chain (17) + sum(2) (3 + 20 = 23) = 46 exactly fits.
      const shared = instance({ fuel: 46, ...options });
      assert.equal(call(shared, "add", [1, 2]), 2);
      assert.equal(fuelConsumed(shared), 6);
      assert.equal(call(shared, "chain", [3]), 14);
      assert.equal(fuelConsumed(shared), 23);
      assert.equal(call(shared, "sum", [2]), 3);
      assert.equal(fuelConsumed(shared), 46);
      // Nothing is left: even the cheapest call (host: 3) traps.
      traps(() => call(shared, "host", [0]), "fuel exhausted");
      assert.equal(fuelConsumed(shared), 49);
    },
  });

  Deno.test({
    name: `fuel (${tier}): nested loops run out at the exact inner iteration`,
    fn() {
      // nest(2, 3): entry 3; outer 1: +19 = 22; inner +10 ×3 = 52; outer 2: +19 = 71; inner 81, 91,
      // 101. Total 101. With fuel 80 the charges up to 71 fit and the next inner one (81) traps.
      const inst = instance({ fuel: 80, ...options });
      traps(() => call(inst, "nest", [2, 3]), "fuel exhausted");
      assert.equal(fuelConsumed(inst), 81);
      const full = instance({ fuel: 101, ...options });
      assert.equal(call(full, "nest", [2, 3]), 6);
      assert.equal(fuelConsumed(full), 101);
    },
  });

  Deno.test({
    name: `fuel (${tier}): a trap other than fuel leaves the fuel of the work done until then`,
    fn() {
      // fill(65524) traps at its 4th iteration: 34 (see CASES); a second call from 65532 traps in
      // its 2nd iteration: 2 + 8 × 2 = 18 more, 52 in all; the instance works on afterwards.
      const inst = instance({ fuel: 1000, ...options });
      traps(() => call(inst, "fill", [65524]), "out of bounds memory access");
      assert.equal(fuelConsumed(inst), 34);
      traps(() => call(inst, "fill", [65532]), "out of bounds memory access");
      assert.equal(fuelConsumed(inst), 52);
      assert.equal(call(inst, "add", [2, 3]), 4);
      assert.equal(fuelConsumed(inst), 58);
    },
  });

  Deno.test({
    name: `fuel (${tier}): a start function is charged at instantiation; no meter counts 0`,
    fn() {
      const bytes = wat(`(module
        (global $g (mut i32) (i32.const 0))
        (func $start
          i32.const 5   ;; 1
          global.set $g ;; 2
        )               ;; end 3
        (start $start)
        (func (export "get") (result i32)
          global.get $g))  ;; 1, end 2`);
      const inst = new W.Instance(new W.Module(bytes), {}, { fuel: 100, ...options });
      assert.equal(fuelConsumed(inst), 3);
      assert.equal((inst.exports.get as () => number)(), 5);
      assert.equal(fuelConsumed(inst), 5);
      // A start function that does not fit fails the instantiation with the trap.
      traps(() => new W.Instance(new W.Module(bytes), {}, { fuel: 2, ...options }), "fuel exhausted");
      // Without fuel, timeout or profile there is no meter: 0.
      const plain = instance(options);
      call(plain, "sum", [5]);
      assert.equal(fuelConsumed(plain), 0);
      // A timeout alone meters as well (sum(5) = 53).
      const timed = instance({ timeoutMs: 60_000, ...options });
      call(timed, "sum", [5]);
      assert.equal(fuelConsumed(timed), 53);
    },
  });

  Deno.test({
    name: `profile (${tier}): per-function counts of a call chain with a loop`,
    fn() {
      const inst = instance({ profile: true, ...options });
      assert.equal(profileOf(inst)!.length, 0);
      call(inst, "chain", [3]); // chain 4, g 5, h 4 + 4
      call(inst, "sum", [4]); // sum 3 + 10 × 4 = 43
      call(inst, "indirect", [1]); // indirect 4, h 4 more: 12
      call(inst, "host", [1]); // host 3; the import itself is not listed
      const FUNCS = {
        log: 0,
        add: 1,
        absdiff: 2,
        early: 3,
        h: 4,
        g: 5,
        chain: 6,
        indirect: 7,
        host: 8,
        sum: 9,
      };
      assert.deepEqual(profileOf(inst), [
        { index: FUNCS.sum, name: "sum", ops: 43 },
        { index: FUNCS.h, name: "h", ops: 12 },
        { index: FUNCS.g, name: "g", ops: 5 },
        // equal counts keep the order in which the functions first ran
        { index: FUNCS.chain, name: "chain", ops: 4 },
        { index: FUNCS.indirect, name: "indirect", ops: 4 },
        { index: FUNCS.host, name: "host", ops: 3 },
      ]);
      // 43 + 12 + 5 + 4 + 4 + 3 = 71: the profile accounts for all the fuel.
      assert.equal(fuelConsumed(inst), 71);
      // Without the option there is no profile.
      assert.equal(profileOf(instance({ fuel: 100, ...options })), undefined);
    },
  });
}
