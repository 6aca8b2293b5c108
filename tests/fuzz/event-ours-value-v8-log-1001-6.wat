(module
  (type (func (result i32 f64 funcref f32 exnref i64)))
  (type (func (param i32)))
  (type (func (param i64)))
  (type (func (param f32)))
  (type (func (param i32 i32) (result i32)))
  (type (func (result i32)))
  (type (func))
  (type (func (param i32 i32 f32 i32 i32 i64 f32) (result i32)))
  (type (func (param f32) (result f32)))
  (import "fuzzing-support" "log-i32" (func (type 1) (param i32)))
  (import "fuzzing-support" "log-i64" (func (type 2) (param i64)))
  (import "fuzzing-support" "log-f32" (func (type 3) (param f32)))
  (import "fuzzing-support" "sleep" (func (type 4) (param i32 i32) (result i32)))
  (func (type 5) (result i32)
    i32.const -13)
  (func (type 0) (result i32 f64 funcref f32 exnref i64)
    (local i32)
    local.get 0
    f32.load offset=4 align=2
    call 8
    f32.const 4294967300
    f32.gt
    f64.const 0
    f64.store offset=22 align=2
    i32.const -8192
    f64.const 0
    ref.func 5
    f32.const -216.48912
    ref.null exn
    i64.const -61)
  (func (type 6)
    unreachable)
  (func (type 7) (param i32 i32 f32 i32 i32 i64 f32) (result i32)
    (local i32)
    local.get 7
    if (result i32)
      global.get 3
      i32.eqz
      if
        i32.const 100
        global.set 3
        unreachable
      end
      global.get 3
      i32.const 1
      i32.sub
      global.set 3
      global.get 1
      global.get 0
      i64.div_u
      call 1
      loop
        global.get 3
        i32.eqz
        if
          i32.const 100
          global.set 3
          unreachable
        end
        global.get 3
        i32.const 1
        i32.sub
        global.set 3
        call 6
        local.get 3
        i32.eqz
        br_if 0
      end
      loop
        global.get 3
        i32.eqz
        if
          i32.const 100
          global.set 3
          unreachable
        end
        global.get 3
        i32.const 1
        i32.sub
        global.set 3
        i32.const 1
        call 0
        br 0
      end
      unreachable
    else
      local.get 7
    end
    i32.const 15
    i32.and
    i32.load offset=22
    if (result i32)
      global.get 3
      i32.eqz
      if
        i32.const 100
        global.set 3
        unreachable
      end
      global.get 3
      i32.const 1
      i32.sub
      global.set 3
      global.get 2
      global.get 2
      i32.const -16
      call 3
      i32.or
      i32.const 15
      i32.and
      f32.load offset=4 align=2
      call 8
      call 2
      global.get 3
      i32.eqz
      if
        i32.const 100
        global.set 3
        unreachable
      end
      global.get 3
      i32.const 1
      i32.sub
      global.set 3
      local.get 1
      i32.const 15
      i32.and
      f32.const 244
      call 8
      f32.store offset=3
      local.get 3
    else
      call 4
    end)
  (func (type 8) (param f32) (result f32)
    local.get 0
    f32.const 0
    local.get 0
    local.get 0
    f32.eq
    select)
  (memory 16 17)
  (global (mut i64) (i64.const -108))
  (global (mut i64) (i64.const 2147483648))
  (global (mut i32) (i32.const -952712))
  (global (mut i32) (i32.const 100))
  (export "func_25" (func 5))
  (export "func_32" (func 7))
  (elem declare func 5)
  (data (offset (i32.const 0)) "Y\e6v\106\b3\f8\0b\a0\9d\9dx\1f\b8\8f1\ce\ea~rJ\f7e\af\a0\d1\da\e6\dfA\bc")
  (data (offset (i32.const 31)) "!;\97\f0")
  (data (offset (i32.const 35)) "\0a\8ei\0dt\83\edW\cb\15r\fa\139\d1\f2\fd\ba\8c\1cD")
  (@custom "binaryen.js.called" (after datacount) "\01\05\01\00\00"))
