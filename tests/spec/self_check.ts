/**
 * A script whose assertions are, by construction, right or wrong, and what the runner must make of each:
 * so a harness that passed everything (a comparison that cannot fail, a NaN check that looks at no
 * bits, a struct taken for an array) fails tests/spec_wast_test.ts. Run on V8, modules by our parser.
 */

/** One command per line; its verdict: passes, fails, or cannot run through the JS API. */
export const SELF_TEST: [string, "pass" | "fail" | "notRun"][] = [
  [
    `(module (type $s (struct)) (type $a (array i8)) (tag $t) (elem declare func $add)` +
    ` (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))` +
    ` (func (export "nan") (result f32) (f32.const nan:0x600000))` +
    ` (func (export "trap") (unreachable))` +
    ` (func (export "v") (result v128) (v128.const i32x4 1 2 3 4))` +
    ` (func (export "s") (result anyref) (struct.new $s))` +
    ` (func (export "a") (result anyref) (array.new_default $a (i32.const 1)))` +
    ` (func (export "i31") (result anyref) (ref.i31 (i32.const 5)))` +
    ` (func (export "f") (result funcref) (ref.func $add))` +
    ` (func (export "throw") (throw $t))` +
    ` (func (export "exn") (result exnref) (ref.null exn)))`,
    "pass",
  ],
  [`(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))`, "pass"],
  [`(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))`, "fail"],
  [`(assert_return (invoke "add" (i32.const 1) (i32.const 2)))`, "fail"],
  [`(assert_return (invoke "nan") (f32.const nan:arithmetic))`, "pass"],
  [`(assert_return (invoke "nan") (f32.const nan:canonical))`, "fail"],
  [`(assert_return (invoke "nan") (f32.const nan:0x600000))`, "pass"],
  [`(assert_return (invoke "nan") (f32.const nan:0x400000))`, "fail"],
  [`(assert_trap (invoke "trap") "unreachable")`, "pass"],
  [`(assert_trap (invoke "add" (i32.const 1) (i32.const 2)) "unreachable")`, "fail"],
  [`(assert_return (invoke "v") (v128.const i32x4 1 2 3 4))`, "pass"],
  [`(assert_return (invoke "v") (v128.const i32x4 1 2 3 5))`, "fail"],
  [`(assert_return (invoke "s") (ref.struct))`, "pass"],
  [`(assert_return (invoke "s") (ref.array))`, "fail"],
  [`(assert_return (invoke "a") (ref.array))`, "pass"],
  [`(assert_return (invoke "a") (ref.struct))`, "fail"],
  [`(assert_return (invoke "i31") (ref.i31))`, "pass"],
  [`(assert_return (invoke "s") (ref.i31))`, "fail"],
  [`(assert_return (invoke "s") (ref.eq))`, "pass"],
  [`(assert_return (invoke "f") (ref.func))`, "pass"],
  [`(assert_return (invoke "f") (ref.null))`, "fail"],
  [`(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 4) (i32.const 3)))`, "pass"],
  [`(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 4) (i32.const 5)))`, "fail"],
  [`(assert_malformed (module quote "(func (i32.foo))") "unknown operator")`, "pass"],
  [`(assert_malformed (module quote "(func (i32.const 0) (drop))") "unknown operator")`, "fail"],
  [`(assert_invalid (module (func (result i32))) "type mismatch")`, "pass"],
  [`(assert_invalid (module (func)) "type mismatch")`, "fail"],
  [`(assert_exception (invoke "throw"))`, "pass"],
  [`(assert_exception (invoke "add" (i32.const 1) (i32.const 2)))`, "fail"],
  [`(assert_unlinkable (module (import "spectest" "nothing" (func))) "unknown import")`, "pass"],
  [`(assert_unlinkable (module (func)) "unknown import")`, "fail"],
  [`(assert_return (invoke "exn") (ref.null exn))`, "pass"],
  [`(assert_return (invoke "exn") (ref.null))`, "pass"],
  [`(assert_return (invoke "exn") (ref.extern 1))`, "notRun"],
  [`(assert_return (invoke "missing"))`, "fail"],
];
