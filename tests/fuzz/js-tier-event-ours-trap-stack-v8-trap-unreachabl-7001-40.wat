(module
  (type (func (param f64)))
  (type (func (param i32 i32)))
  (type (func (result i32)))
  (type (func (param i32) (result i32)))
  (type (func (result f64)))
  (type (func (param i32) (result f64)))
  (type (func))
  (type (func (param f64) (result f64)))
  (type (func (param i64)))
  (import "fuzzing-support" "log-f64" (func (type 0) (param f64)))
  (import "fuzzing-support" "log-i64" (func (type 1) (param i32 i32)))
  (func (type 2) (result i32)
    i32.const -6588)
  (func (type 3) (param i32) (result i32)
    call 2)
  (func (type 4) (result f64)
    f64.const -4294967295
    call 7)
  (func (type 5) (param i32) (result f64)
    block
      global.get 0
      i32.eqz
      br_if 0
      global.get 0
      i32.const 1
      i32.sub
      global.set 0
      f64.const 2147483648
      call 7
      call 0
      call 4
      call 7
      drop
      block (result f64)
        try_table (catch 0 0)
          global.get 0
          i32.eqz
          br_if 2
          global.get 0
          i32.const 1
          i32.sub
          global.set 0
          local.get 0
          i32.const 15
          i32.and
          i64.load16_s offset=22 align=1
          call 8
          i32.const -2679496
          call 3
          f64.convert_i32_u
          call 7
          throw 0
        end
        unreachable
      end
      call 7
      drop
      unreachable
    end
    unreachable)
  (func (type 6)
    i32.const -2
    call 5
    call 7
    drop)
  (func (type 7) (param f64) (result f64)
    local.get 0
    f64.const 0
    local.get 0
    local.get 0
    f64.eq
    select)
  (func (type 8) (param i64)
    local.get 0
    i32.wrap_i64
    local.get 0
    i64.const 32
    i64.shr_u
    i32.wrap_i64
    call 1)
  (memory 16 16)
  (tag (type 0) (param f64))
  (global (mut i32) (i32.const 100))
  (export "func_41_invoker" (func 6))
  (data (offset (i32.const 0)) "\df\00q\c0\ea\18\a3\aa6\0c\9bJ\a2\0dPM\c1|\9d\cc^\df\00$\c2")
  (data (offset (i32.const 25)) "\da?f$\e3\1c\d6\f7I\091\a1\a0\cd\a20]\98\1b\be\e9\16t\b9\c4Zpp_\8c")
  (data (offset (i32.const 55)) "\f1&6\0cEKM\8b")
  (data (offset (i32.const 63)) "l\cd\d4\ec\5c\a5Y)\f9")
  (data (offset (i32.const 72)) ";\f3\a5\dfC \05\f4a\ce6")
  (data (offset (i32.const 83)) "\941\7f\06\c9\8e\ad\ddR\0b\b6\be)\80")
  (@custom "binaryen.js.called" (after datacount) "\01\04\01\00\00"))
