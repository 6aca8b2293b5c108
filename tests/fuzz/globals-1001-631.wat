(module
  (rec
    (type (func (param (ref 1) (ref func)) (result f64)))
    (type (sub (struct (field (mut (ref func))) (field (ref null 0)) (field (ref null 1)) (field (mut f64)) (field i16)))))
  (type (func))
  (rec
    (type (sub (struct (field (mut (ref null 4))) (field f32) (field v128) (field (mut v128)))))
    (type (sub final 1 (struct (field (mut (ref func))) (field (ref null 0)) (field (ref null 4)) (field (mut f64)) (field i16) (field (mut i8))))))
  (type (sub (func (param (ref null 1) (ref null 0)))))
  (type (struct))
  (type (sub (struct (field (mut i32)) (field (mut structref)) (field i64) (field eqref))))
  (type (array i8))
  (type (func (param anyref (ref 0) (ref 5) arrayref (ref array)) (result funcref f32)))
  (type (func (param i32)))
  (type (func (param i64)))
  (type (func (param f32)))
  (type (func (param f64)))
  (type (func (param v128)))
  (type (func (param anyref)))
  (type (func (param funcref)))
  (type (func (param externref)))
  (type (func (param i32 i32)))
  (type (func (param i32 i32) (result i32)))
  (type (func (param structref i64 i31ref (ref null 5)) (result f32)))
  (type (func (result exnref i64 i32 f64)))
  (type (func (result i64)))
  (type (func (param (ref null 4)) (result (ref struct))))
  (type (func (param (ref null 1))))
  (type (func (param f32) (result (ref null 4))))
  (type (func (param (ref 5) f32 v128 f32 i64) (result i64 f64 externref)))
  (type (func (result eqref)))
  (type (func (result (ref 0))))
  (type (func (param f32) (result externref)))
  (type (func (param (ref null 7) i32 f64 (ref null 7)) (result externref)))
  (type (func (param f32) (result f32)))
  (type (func (param f64) (result f64)))
  (type (func (param v128) (result v128)))
  (type (func (result (ref exn) i64 i32 f64)))
  (type (func (result i64 f64 externref)))
  (type (func (result (ref 9) f32)))
  (import "__fuzz_import" "extern$" (global externref))
  (import "fuzzing-support" "log-i32" (func (type 10) (param i32)))
  (import "fuzzing-support" "log-i64" (func (type 11) (param i64)))
  (import "fuzzing-support" "log-f32" (func (type 12) (param f32)))
  (import "fuzzing-support" "log-f64" (func (type 13) (param f64)))
  (import "fuzzing-support" "log-v128" (func (type 14) (param v128)))
  (import "fuzzing-support" "log-anyref" (func (type 15) (param anyref)))
  (import "fuzzing-support" "log-funcref" (func (type 16) (param funcref)))
  (import "fuzzing-support" "log-externref" (func (type 17) (param externref)))
  (import "fuzzing-support" "call-export" (func (type 18) (param i32 i32)))
  (import "fuzzing-support" "sleep" (func (type 19) (param i32 i32) (result i32)))
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    unreachable)
  (func (type 20) (param structref i64 i31ref (ref null 5)) (result f32)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f32.const 223)
  (func (type 5) (param (ref null 1) (ref null 0))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i64.const -93
    call 1
    f64.const 1.389355524176607e-309
    call 53)
  (func (type 5) (param (ref null 1) (ref null 0))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    unreachable)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.null none
    ref.func 11
    call 15)
  (func (type 5) (param (ref null 1) (ref null 0))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i32.const 71
    call 0)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const -3.4028234663852886e+38
    call 53
    drop)
  (func (type 21) (result exnref i64 i32 f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    block (result (ref exn))
      try_table (catch_all_ref 0)
        throw 1
      end
      unreachable
    end
    i64.const 1747541539
    i32.const 152
    f64.const 7207)
  (func (type 22) (result i64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i64.const -268435455)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    block (result (ref exn))
      try_table (catch_all_ref 0)
        throw 0
      end
      unreachable
    end
    throw_ref)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 22
    ref.func 21
    ref.func 22
    ref.func 14
    ref.null none
    f64.const 38
    i32.const 9
    struct.new 1
    i32.const 4
    f64.const 4294962288
    call 53
    f64.store align=2
    ref.func 22
    ref.func 14
    ref.func 17
    ref.func 14
    ref.func 22
    ref.null nofunc
    ref.func 22
    ref.func 14
    ref.func 13
    ref.func 14
    ref.null none
    f64.const 65509
    i32.const -29
    i32.const -98
    struct.new 4
    f64.const -0.148
    i32.const -167307166
    i32.const 31820
    struct.new 4
    f64.const 4294962288
    call 53
    i32.const 0
    i32.const -111
    struct.new 4
    f64.const 4294962288
    call 53
    i32.const 36
    i32.const -12235
    struct.new 4
    f64.const 4294962288
    call 53
    i32.const 0
    i32.const 65499
    struct.new 4
    drop
    f64.const -9223372036854776000
    call 53
    ref.func 22
    ref.func 14
    ref.func 9
    ref.func 11
    ref.null none
    f64.const -3.4028234663852886e+38
    call 53
    i32.const 0
    i32.const 0
    struct.new 4
    f64.const 4294962288
    call 53
    i32.const -12
    i32.const 98
    struct.new 4
    drop
    i32.const 0
    struct.new 1
    ref.func 22
    call 21
    call 53
    drop
    loop
      global.get 9
      if
        global.get 9
        i32.const 1
        i32.sub
        global.set 9
        br 1
      else
        i32.const 79
        global.set 9
        unreachable
      end
      unreachable
    end
    unreachable)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i64.const 0
    call 1
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const 0)
  (func (type 23) (param (ref null 4)) (result (ref struct))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 13
    ref.func 21
    ref.func 6
    ref.func 21
    ref.func 24
    ref.func 21
    ref.func 1
    ref.func 14
    ref.func 11
    ref.func 21
    ref.func 19
    ref.func 14
    ref.func 24
    ref.func 23
    local.get 0
    f64.const 0
    i32.const -125
    i32.const -74
    struct.new 4
    f64.const -3.4028234663852886e+38
    call 53
    i32.const 0
    i32.const 0
    struct.new 4
    f64.const 0
    i32.const -63
    i32.const 0
    struct.new 4
    f64.const 0
    i32.const -49
    i32.const 0
    struct.new 4
    f64.const -3.4028234663852886e+38
    call 53
    i32.const 0
    i32.const 0
    struct.new 4
    f64.const 0
    i32.const 0
    i32.const 0
    struct.new 4
    f64.const 3.4028234663852886e+38
    i32.const 0
    i32.const -122
    struct.new 4
    ref.func 11
    call 13
    global.get 3
    call 5
    struct.new_default 6)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const 0
    call 53
    drop
    unreachable)
  (func (type 24) (param (ref null 1))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    block (result (ref exn))
      try_table (catch_all_ref 0)
        throw 0
      end
      unreachable
    end
    throw_ref)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    call 16
    i32.const 8
    drop
    unreachable)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const 4294962288
    call 53
    drop
    ref.func 4
    call 6)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 29
    drop
    ref.func 23
    drop
    unreachable)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    block
      global.get 9
      i32.eqz
      br_if 0
      global.get 9
      i32.const 1
      i32.sub
      global.set 9
      ref.null nofunc
      call 6
      ref.null none
      call 5
      loop (result (ref func))
        global.get 9
        i32.eqz
        br_if 1
        global.get 9
        i32.const 1
        i32.sub
        global.set 9
        ref.null noextern
        call 7
        i32.const 7
        i32.const -2048
        call 8
        loop (result v128)
          global.get 9
          i32.eqz
          br_if 2
          global.get 9
          i32.const 1
          i32.sub
          global.set 9
          ref.null none
          call 5
          i32.const 67
          f32.const 0
          call 52
          f32.const 0
          f32.le
          call 9
          br_if 0
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          call 54
        end
        i16x8.extract_lane_s 6
        br_if 0
        local.get 1
      end
      drop
      loop (result f64)
        global.get 9
        i32.eqz
        br_if 1
        global.get 9
        i32.const 1
        i32.sub
        global.set 9
        try_table (catch_all 0)
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          call 4
        end
        f64.const 0
      end
      return
    end
    i32.const 79
    global.set 9
    unreachable)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f32.const 0
    call 52
    call 2
    i32.const 10
    drop
    return)
  (func (type 5) (param (ref null 1) (ref null 0))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i64.const 8388607
    call 1)
  (func (type 25) (param f32) (result (ref null 4))
    local.get 0
    call 52
    drop
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.null none)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f32.const 62.949
    call 33
    drop
    f32.const -33554432
    call 33
    drop)
  (func (type 26) (param (ref 5) f32 v128 f32 i64) (result i64 f64 externref)
    local.get 1
    call 52
    drop
    local.get 2
    call 54
    drop
    local.get 3
    call 52
    drop
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i64.const -65534
    f64.const 3.4028234663852886e+38
    global.get 0)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 32
    f32.const -50
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    f32.const 0
    i64.const 120
    call 35
    drop
    drop
    drop
    ref.func 13
    f32.const 0
    v128.const i32x4 0x383b00e0 0x76cd4c7f 0x77f85601 0xcd5afe00
    f32.const 2147483600
    i64.const -34359738368
    call 35
    drop
    drop
    drop
    ref.func 15
    f32.const 44
    v128.const i32x4 0x0022c37f 0x2720ff7e 0x18716a97 0x80003f7b
    f32.const 0
    i64.const 8192
    call 35
    drop
    drop
    drop)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9)
  (func (type 27) (result eqref)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    loop
      global.get 9
      i32.eqz
      if
        i32.const 79
        global.set 9
        unreachable
      end
      global.get 9
      i32.const 1
      i32.sub
      global.set 9
      f32.const 1048576
      call 2
      global.get 9
      i32.eqz
      if
        i32.const 79
        global.set 9
        unreachable
      end
      global.get 9
      i32.const 1
      i32.sub
      global.set 9
      br 0
    end
    unreachable)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    call 38
    drop
    call 38
    drop)
  (func (type 9) (param anyref (ref 0) (ref 5) arrayref (ref array)) (result funcref f32)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f32.const 18446744000000000000
    call 2
    ref.func 40
    f32.const 26689)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    struct.new_default 6
    ref.func 14
    ref.func 32
    ref.null none
    array.new_fixed 8 0
    call 40
    drop
    drop
    i32.const -127
    ref.i31
    ref.func 30
    ref.func 15
    array.new_fixed 8 0
    array.new_fixed 8 0
    call 40
    drop
    drop)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    unreachable)
  (func (type 0) (param (ref 1) (ref func)) (result f64)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    loop
      global.get 9
      if
        global.get 9
        i32.const 1
        i32.sub
        global.set 9
        br 1
      else
        i32.const 79
        global.set 9
        unreachable
      end
      unreachable
    end
    unreachable)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 44
    drop
    ref.func 30
    drop
    ref.func 44
    ref.func 14
    global.get 8
    f64.const 4294962288
    call 53
    i32.const -2047
    struct.new 1
    drop
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const 125
    call 3
    f32.const -67108864
    call 2
    i32.const 0
    drop
    ref.func 44
    drop
    ref.func 21
    drop
    ref.func 44
    drop
    ref.func 14
    drop
    ref.func 17
    drop
    unreachable)
  (func (type 28) (result (ref 0))
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.func 14)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    call 45
    drop
    call 45
    drop
    call 45
    drop)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    ref.null none
    ref.func 43
    call 13
    ref.null none
    ref.func 43
    call 13)
  (func (type 29) (param f32) (result externref)
    (local externref)
    local.get 0
    call 52
    drop
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    loop (result externref)
      global.get 9
      i32.eqz
      if
        i32.const 79
        global.set 9
        unreachable
      end
      global.get 9
      i32.const 1
      i32.sub
      global.set 9
      i32.const 16
      ref.i31
      call 5
      call 27
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      call 54
      i64x2.all_true
      i32.eqz
      br_if 0
      global.get 0
    end
    local.tee 1
    call 7
    local.get 1)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f32.const 56921
    call 48
    drop
    f32.const 0
    call 48
    drop)
  (func (type 2)
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    i32.const 2147483647
    drop
    unreachable)
  (func (type 30) (param (ref null 7) i32 f64 (ref null 7)) (result externref)
    local.get 2
    call 53
    drop
    global.get 9
    i32.eqz
    if
      i32.const 79
      global.set 9
      unreachable
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    local.get 1
    if (result nullexternref)
      i32.const 0
      block (result (ref exn))
        try_table (catch_all_ref 0)
          throw 0
        end
        unreachable
      end
      table.set 0
      ref.null noextern
    else
      unreachable
    end)
  (func (type 31) (param f32) (result f32)
    local.get 0
    f32.const 0
    local.get 0
    local.get 0
    f32.eq
    select)
  (func (type 32) (param f64) (result f64)
    local.get 0
    f64.const 0
    local.get 0
    local.get 0
    f64.eq
    select)
  (func (type 33) (param v128) (result v128)
    local.get 0
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.get 0
    f32x4.extract_lane 0
    local.get 0
    f32x4.extract_lane 0
    f32.eq
    local.get 0
    f32x4.extract_lane 1
    local.get 0
    f32x4.extract_lane 1
    f32.eq
    i32.and
    local.get 0
    f32x4.extract_lane 2
    local.get 0
    f32x4.extract_lane 2
    f32.eq
    local.get 0
    f32x4.extract_lane 3
    local.get 0
    f32x4.extract_lane 3
    f32.eq
    i32.and
    i32.and
    select)
  (table 6 6 exnref)
  (memory 16 16)
  (tag (type 2))
  (tag (type 2))
  (global nullexnref (ref.null noexn))
  (global (ref 1)
    (struct.new 1
      (ref.func 10)
      (ref.func 11)
      (struct.new 1
        (ref.func 10)
        (ref.func 11)
        (struct.new 1
          (ref.func 11)
          (ref.func 11)
          (struct.new 1 (ref.func 11) (ref.null nofunc) (ref.null none) (f64.const 0) (i32.const -20930))
          (f64.const 65526)
          (i32.const -96))
        (f64.const 0)
        (i32.const -28))
      (f64.const -56)
      (i32.const -4821989)))
  (global (ref 3) (struct.new_default 3))
  (global (mut (ref 1))
    (struct.new 1
      (ref.func 10)
      (ref.null nofunc)
      (struct.new 1
        (ref.func 11)
        (ref.func 11)
        (struct.new 1
          (ref.func 10)
          (ref.func 11)
          (struct.new 1
            (ref.func 11)
            (ref.func 11)
            (struct.new 1
              (ref.func 10)
              (ref.func 11)
              (struct.new 1 (ref.func 11) (ref.func 11) (ref.null none) (f64.const -124) (i32.const -104))
              (f64.const 274877906944.85)
              (i32.const -1024))
            (f64.const -2147483647.988)
            (i32.const -114))
          (f64.const 4294967294.77)
          (i32.const -1048575))
        (f64.const -238561)
        (i32.const 16777216))
      (f64.const 0)
      (i32.const -2097152)))
  (global (ref 7)
    (struct.new 7
      (i32.const -42110874)
      (struct.new_default 6)
      (i64.const -65535)
      (struct.new_default 6)))
  (global f64 (f64.const 4294962288))
  (global (mut f32) (f32.const 0))
  (global (ref 1) (struct.new 1 (ref.func 10) (ref.func 11) (ref.null none) (f64.const -3) (i32.const 1073741825)))
  (global (mut i32) (i32.const 79))
  (export "global$" (global 1))
  (export "global$_2" (global 2))
  (export "global$_4" (global 4))
  (export "global$_5" (global 5))
  (export "global$_10" (global 6))
  (export "global$_12" (global 7))
  (export "tag$" (tag 0))
  (export "func" (func 12))
  (export "func_16" (func 13))
  (export "func_18" (func 15))
  (export "func_18_invoker" (func 16))
  (export "func_20" (func 17))
  (export "func_20_invoker" (func 18))
  (export "func_23" (func 20))
  (export "func_24_invoker" (func 22))
  (export "func_28" (func 24))
  (export "func_29_invoker" (func 25))
  (export "func_31" (func 26))
  (export "func_31_invoker" (func 27))
  (export "func_33_invoker" (func 28))
  (export "func_36_invoker" (func 29))
  (export "func_38_invoker" (func 31))
  (export "func_42" (func 33))
  (export "func_42_invoker" (func 34))
  (export "func_44_invoker" (func 36))
  (export "func_47_invoker" (func 37))
  (export "func_49_invoker" (func 39))
  (export "func_51_invoker" (func 41))
  (export "func_53_invoker" (func 42))
  (export "func_56_invoker" (func 44))
  (export "func_58" (func 45))
  (export "func_58_invoker" (func 46))
  (export "func_61" (func 13))
  (export "func_61_invoker" (func 47))
  (export "func_63" (func 48))
  (export "func_63_invoker" (func 49))
  (export "func_65_invoker" (func 50))
  (export "func_70" (func 51))
  (elem declare func 13 14 15 17 19 21 22 23 24 29 30 32 40 43 44 6 1 4 11 9)
  (@custom "binaryen.js.called" (after elem) "\03\0c\01\00\000\01\00\003\01\00\00"))
