(module
  (rec
    (type (sub (func (param (ref 8) f64) (result f32))))
    (type (struct (field i8) (field f32) (field (mut (ref 3)))))
    (type (array (mut i8)))
    (type (sub (struct (field (ref null 7)) (field (mut (ref null 4))) (field f64) (field (mut v128)) (field (mut (ref 11))) (field i16))))
    (type (sub (func (param i32) (result v128))))
    (type (array (mut i16)))
    (type (array (mut i64)))
    (type (struct (field structref) (field (ref 4))))
    (type (sub (array i8)))
    (type (sub (func (result v128))))
    (type (func))
    (type (sub (array i16)))
    (type (struct (field (ref 7)) (field (ref 13))))
    (type (sub (struct (field (mut (ref null 11))) (field (ref null 10)) (field i16) (field (ref 8)) (field f64)))))
  (type (struct))
  (type (array i8))
  (type (func))
  (type (sub final 0 (func (param eqref f64) (result f32))))
  (type (func (param i32)))
  (type (func (param f64)))
  (type (func (param v128)))
  (type (func (param funcref)))
  (type (func (param (ref null 10) i64 (ref null 2)) (result (ref 11))))
  (type (func (param exnref)))
  (type (func (param i64)))
  (type (func (param f32)))
  (type (func (param anyref)))
  (type (func (param externref)))
  (type (func (param f32 i64 (ref struct) anyref) (result (ref null 2) (ref null 12))))
  (type (func (result (ref null 12))))
  (type (func (result (ref 13))))
  (type (func (param f32) (result (ref null 5))))
  (type (func (param f32) (result f32)))
  (type (func (param f64) (result f64)))
  (type (func (param v128) (result v128)))
  (type (func (result i32 f64)))
  (import "__fuzz_import" "extern$" (global (ref extern)))
  (import "__fuzz_import" "extern$_22" (global externref))
  (import "fuzzing-support" "throw" (func (type 18) (param i32)))
  (import "fuzzing-support" "log-i32" (func (type 18) (param i32)))
  (import "fuzzing-support" "log-i64" (func (type 24) (param i64)))
  (import "fuzzing-support" "log-f32" (func (type 25) (param f32)))
  (import "fuzzing-support" "log-f64" (func (type 19) (param f64)))
  (import "fuzzing-support" "log-v128" (func (type 20) (param v128)))
  (import "fuzzing-support" "log-anyref" (func (type 26) (param anyref)))
  (import "fuzzing-support" "log-funcref" (func (type 21) (param funcref)))
  (import "fuzzing-support" "log-externref" (func (type 27) (param externref)))
  (func (type 4) (param i32) (result v128)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    unreachable)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    i32.const -71
    call 9
    call 33
    drop)
  (func (type 28) (param f32 i64 (ref struct) anyref) (result (ref null 2) (ref null 12))
    (local (ref null 11))
    (local externref)
    (local anyref)
    local.get 0
    call 31
    local.set 0
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    block (result (ref exn))
      try_table (catch_all_ref 0)
        throw 2
      end
      unreachable
    end
    throw 0)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    f32.const -0.885
    i64.const -54
    struct.new_default 14
    i32.const -8
    ref.i31
    call 11
    drop
    drop
    f32.const -1
    i64.const -95
    struct.new_default 14
    ref.null none
    call 11
    drop
    drop)
  (func (type 0) (param (ref 8) f64) (result f32)
    (local f64)
    (local f32)
    local.get 1
    call 32
    local.set 1
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    loop
      global.get 32
      i32.eqz
      if
        i32.const 91
        global.set 32
        unreachable
      end
      global.get 32
      i32.const 1
      i32.sub
      global.set 32
      i32.const -110
      ref.func 1
      call_ref 18
      br 0
    end
    unreachable)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    i32.const 256
    i32.const 81
    i32.const 1023
    i32.and
    array.new 8
    f64.const 9223372036854776000
    call 13
    call 31
    drop)
  (func (type 17) (param eqref f64) (result f32)
    (local (ref null 6))
    (local funcref)
    (local (ref array) (ref array))
    (local (ref 12))
    (local (ref 17))
    (local (ref 4))
    (local exnref)
    (local anyref)
    (local f64 f64)
    (local f32 f32)
    (local i32)
    (local i64)
    local.get 1
    call 32
    local.set 1
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    loop
      global.get 32
      i32.eqz
      if
        i32.const 91
        global.set 32
        unreachable
      end
      global.get 32
      i32.const 1
      i32.sub
      global.set 32
      ref.func 13
      call 7
      nop
      i32.const 23615542
      i32.eqz
      br_if 0
    end
    nop
    block
      nop
      global.get 26
      call 31
      return
    end
    unreachable)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    array.new_fixed 15 0
    f64.const 0
    call 15
    call 31
    drop)
  (func (type 9) (result v128)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    unreachable)
  (func (type 18) (param i32)
    (local (ref null 12))
    (local externref)
    (local (ref null 5))
    (local structref)
    (local (ref 11))
    (local i31ref)
    (local eqref)
    (local (ref null 9))
    (local (ref i31))
    (local (ref 6) (ref 6))
    (local i32 i32 i32 i32 i32 i32)
    (local f64 f64)
    (local f32)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    ref.func 17
    call 7
    i32.const 255
    ref.i31
    local.tee 9
    ref.cast (ref i31)
    ref.cast (ref i31)
    i31.get_u
    local.tee 16
    local.get 17
    i32.add
    i64.const 2147483646
    i32.const 47
    i32.const 1023
    i32.and
    array.new 6
    local.tee 10
    local.tee 11
    array.len
    i32.lt_u
    if
      local.get 11
      local.get 16
      global.get 27
      local.get 17
      array.fill 6
    end)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    i32.const -12
    call 18
    i32.const 126
    call 18)
  (func (type 10)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    nop)
  (func (type 17) (param eqref f64) (result f32)
    (local f32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local v128)
    (local (ref 12))
    (local (ref 10))
    (local (ref null 17))
    (local (ref 11) (ref 11))
    (local (ref func))
    (local (ref null 3))
    (local exnref exnref exnref)
    (local (ref none))
    (local (ref 5) (ref 5) (ref 5) (ref 5))
    (local (ref null 8))
    (local (ref 8) (ref 8))
    (local anyref)
    (local (ref i31))
    (local (ref extern))
    (local (ref noextern) (ref noextern))
    (local (ref array))
    (local (ref 2) (ref 2))
    (local (ref 7))
    local.get 1
    call 32
    local.set 1
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    i32.const -37
    ref.i31
    local.set 33
    array.new_fixed 15 0
    local.set 37
    i32.const 18
    i32.const 1023
    i32.and
    array.new_default 5
    local.set 26
    i32.const 73
    i32.const 1023
    i32.and
    array.new_default 5
    local.set 25
    local.get 4
    i32.const 78
    i32.const 1023
    i32.and
    array.new 11
    local.set 17
    ref.func 20
    local.set 15
    ref.null none
    ref.func 9
    struct.new 7
    ref.func 9
    global.get 7
    call 32
    local.get 13
    i32.const -11509
    i32.const 70
    i32.const 1023
    i32.and
    array.new 11
    global.get 6
    struct.new 3
    ref.func 9
    struct.new 7
    ref.null none
    ref.func 20
    i32.const -68
    local.get 29
    ref.as_non_null
    global.get 18
    call 32
    struct.new 13
    struct.new 12
    local.set 14
    i32.const 1
    block (result i32)
      block
        try_table (result i32) (catch_all 0)
          array.new_fixed 15 0
          i32.const 60
          i32.const 1023
          i32.and
          array.new_default 11
          ref.func 20
          i32.const -20
          local.get 4
          i32.const 44
          i32.const 1023
          i32.and
          array.new 8
          local.get 1
          struct.new 13
          ref.eq
        end
        br 1
      end
      global.get 10
    end
    local.tee 4
    i32.rotl
    if (result i32)
      block (result i32)
        global.get 6
        local.get 4
        br_if 0
        call 1
        nop
        f32.const -3.4028235e+38
        return
      end
    else
      local.get 4
    end
    i32.eqz
    if (result f32)
      global.get 26
      call 31
    else
      local.get 4
      throw 1
    end)
  (func (type 29) (result (ref null 12))
    (local f32)
    (local i32 i32 i32 i32 i32 i32)
    (local i64)
    (local f64)
    (local eqref)
    (local funcref)
    (local (ref null 0))
    (local exnref exnref exnref)
    (local (ref null 13))
    (local (ref 1))
    (local (ref 8))
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    struct.new_default 14
    ref.func 9
    struct.new 7
    i32.const 17
    i32.const 1023
    i32.and
    array.new_default 11
    ref.null none
    ref.eq
    i32.const 10298
    if (result i32)
      local.get 1
    else
      local.get 2
      local.tee 2
    end
    ref.null none
    ref.as_non_null
    ref.null none
    ref.as_non_null
    local.tee 16
    ref.eq
    select
    i32.const 43
    i32.const 1023
    i32.and
    array.new 11
    ref.func 20
    global.get 6
    i32.const 131073
    ref.i31
    ref.cast (ref none)
    unreachable
    unreachable
    block (result f64)
      block
        block (result exnref)
          try_table (result f64) (catch 0 0) (catch 1 1)
            nop
            struct.new_default 14
            ref.func 9
            struct.new 7
            i32.const -82
            i32.const 78
            i32.const 1023
            i32.and
            array.new 11
            ref.func 20
            global.get 10
            local.get 3
            ref.null none
            ref.as_non_null
            ref.null none
            ref.as_non_null
            local.tee 16
            ref.eq
            i32.const 1023
            i32.and
            array.new 8
            block
              nop
              ref.null none
              return
            end
            unreachable
          end
          br 2
        end
        local.set 14
        local.get 14
        local.set 12
        global.get 26
        call 31
        f64.promote_f32
        call 32
        br 1
      end
      block (result f64)
        block
          block (result exnref)
            try_table (result f64) (catch 0 0) (catch 1 1)
              loop (result f64)
                global.get 32
                i32.eqz
                if
                  i32.const 91
                  global.set 32
                  unreachable
                end
                global.get 32
                i32.const 1
                i32.sub
                global.set 32
                block (result f64)
                  block
                    try_table (result f64) (catch_all 0)
                      ref.func 15
                      ref.test (ref 17)
                      i32.const 15
                      i32.and
                      f64.load offset=2
                      call 32
                    end
                    br 1
                  end
                  local.get 8
                end
              end
            end
            br 2
          end
          local.set 14
          local.get 14
          local.set 13
          local.get 8
          br 1
        end
        try_table (result i32)
          i32.const 1
          i32.popcnt
        end
        i32.const 83
        i32.const 1023
        i32.and
        array.new 11
        i32.const 65536
        ref.i31
        ref.cast (ref i31)
        ref.eq
        i32.const 15
        i32.and
        f64.load offset=3 align=4
        call 32
      end
    end
    struct.new 13
    struct.new 12)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    call 22
    drop
    call 22
    drop)
  (func (type 9) (result v128)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    call 12
    v128.const i32x4 0x00008000 0x00000000 0x8d785828 0x00000000
    return)
  (func (type 9) (result v128)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    nop
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    return)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    call 25
    call 33
    drop
    call 25
    call 33
    drop)
  (func (type 22) (param (ref null 10) i64 (ref null 2)) (result (ref 11))
    (local f32)
    (local exnref)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    global.get 6
    i32.const 2
    i32.const 1023
    i32.and
    array.new 11)
  (func (type 16)
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    ref.func 20
    i64.const -76
    i32.const 14
    i32.const 1023
    i32.and
    array.new_default 2
    call 27
    drop)
  (func (type 30) (result (ref 13))
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local f32 f32 f32 f32 f32)
    (local v128 v128 v128 v128 v128 v128 v128)
    (local f64 f64 f64 f64 f64)
    (local (ref null 7))
    (local exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref exnref)
    (local (ref 17))
    (local funcref)
    (local externref externref externref)
    (local (ref null 13) (ref null 13))
    (local (ref null 6) (ref null 6))
    (local (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6) (ref 6))
    (local (ref null 11) (ref null 11) (ref null 11))
    (local (ref null 4))
    (local (ref 4) (ref 4))
    (local (ref i31))
    (local (ref 12))
    (local (ref null 2) (ref null 2) (ref null 2))
    (local (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2) (ref 2))
    (local (ref array) (ref array) (ref array))
    (local arrayref)
    (local eqref eqref)
    (local (ref 8) (ref 8) (ref 8) (ref 8))
    (local (ref 10))
    (local (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5) (ref 5))
    (local (ref null 9))
    (local structref structref)
    (local (ref func))
    (local (ref 3))
    (local (ref 1))
    (local (ref 7))
    (local nullref nullref)
    (local i31ref)
    (local (ref extern) (ref extern))
    (local (ref eq))
    (local (ref none))
    (local (ref 11) (ref 11) (ref 11))
    (local (ref exn))
    (local (ref null 3))
    (local (ref 9))
    (local (ref null 8) (ref null 8))
    (local (ref struct))
    (local (ref null 5))
    (local (ref 14))
    (local (ref 30))
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    i32.const 129
    i32.const 34
    i32.const 1023
    i32.and
    array.new 8
    local.set 235
    local.set 114
    global.get 9
    local.set 284
    local.get 263
    ref.func 9
    struct.new 7
    local.set 268
    local.get 179
    ref.as_non_null
    local.set 179
    local.get 14
    f32.const 4293931000
    local.get 123
    ref.func 9
    local.get 118
    local.get 111
    local.get 198
    ref.as_non_null
    i32.const 1
    struct.new 3
    struct.new 1
    local.set 267
    ref.null none
    local.get 200
    f64.const -126
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    i32.const 12
    i32.const 1023
    i32.and
    array.new_default 11
    i32.const 127
    struct.new 3
    local.set 266
    i32.const 38
    i32.const 1023
    i32.and
    array.new_default 2
    local.set 209
    i32.const 32
    i32.const 1023
    i32.and
    array.new_default 5
    local.set 239
    local.get 13
    i32.const 13
    i32.const 1023
    i32.and
    array.new 5
    local.set 237
    array.new_fixed 15 0
    local.set 228
    array.new_fixed 15 0
    local.set 227
    i32.const 75
    i32.const 1023
    i32.and
    array.new_default 2
    local.set 208
    i32.const 67108863
    ref.i31
    local.set 203
    ref.func 9
    local.set 201
    i32.const 68
    i32.const 1023
    i32.and
    array.new_default 6
    local.set 182
    i32.const 28492
    i32.const 73
    i32.const 1023
    i32.and
    array.new 5
    local.set 238
    i32.const 90
    i32.const 1023
    i32.and
    array.new_default 8
    local.set 232
    global.get 14
    local.set 226
    local.get 197
    drop
    local.get 123
    ref.as_non_null
    loop (result (ref 11))
      global.get 32
      i32.eqz
      if
        i32.const 91
        global.set 32
        unreachable
      end
      global.get 32
      i32.const 1
      i32.sub
      global.set 32
      block
        block
          try_table (catch 1 0)
            nop
          end
          br 1
        end
        block (result (ref exn))
          block
            try_table (result (ref exn)) (catch 1 0)
              block (result (ref exn))
                try_table (catch_all_ref 0)
                  throw 2
                end
                unreachable
              end
            end
            br 1
          end
          block (result (ref exn))
            f32.const 0.212
            i32.const 1
            local.set 22
            local.set 108
            local.get 22
            local.tee 23
            local.get 208
            local.tee 210
            array.len
            i32.lt_u
            if
              local.get 210
              local.get 23
              local.get 21
              array.set 2
            end
            block
              loop (result i32)
                global.get 32
                i32.eqz
                if
                  i32.const 91
                  global.set 32
                  unreachable
                end
                global.get 32
                i32.const 1
                i32.sub
                global.set 32
                i32.const -1340071930
                local.set 13
                local.get 21
                i32.eqz
                br_if 0
                i32.const 115
              end
              i32.eqz
              if
                block
                  nop
                  local.get 107
                  local.tee 107
                  local.get 107
                  f32.eq
                  br_if 0
                end
              else
                local.get 14
                br_if 1
              end
            end
            local.get 127
            br_on_cast 0 exnref (ref exn)
            drop
            br 3
          end
        end
        local.set 127
      end
      local.get 111
      local.tee 111
      ref.null none
      local.get 201
      struct.new 7
      ref.func 9
      f64.const 4294967240
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
      i32.const 1
      i32.const 1023
      i32.and
      array.new_default 11
      i32.const -23040
      struct.new 3
      br_on_null 0
      drop
      i64.const 0
      ref.null none
      i32.const -524287
      global.get 1
      ref.null none
      ref.as_non_null
      drop
      drop
      local.set 105
      drop
      drop
      local.get 105
      if (result v128)
        local.get 12
        if
          local.get 226
          ref.cast (ref array)
          local.set 227
        else
          nop
        end
        br 1
      else
        local.get 262
        ref.as_non_null
        local.set 262
        i32.const 4194305
        i32.eqz
        if (result v128)
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        else
          try_table (result i32) (catch 1 2)
            local.get 17
          end
          i32.const 15
          i32.and
          v128.load16_splat offset=22 align=1
          call 33
        end
      end
      local.tee 111
      local.tee 111
      local.tee 111
      block
        array.new_fixed 15 0
        local.set 229
        br 1
      end
      unreachable
    end
    local.tee 198
    ref.as_non_null
    ref.cast (ref 11)
    ref.as_non_null
    ref.func 20
    global.get 10
    i32.const 12
    i32.const 1023
    i32.and
    array.new_default 8
    f64.const -4398046511103.809
    struct.new 13
    struct.new 12
    local.set 204
    ref.func 9
    local.set 202
    local.get 180
    ref.as_non_null
    local.set 180
    local.get 178
    ref.as_non_null
    local.set 178
    ref.func 21
    local.set 173
    local.get 263
    ref.func 9
    struct.new 7
    local.set 123
    block (result (ref 13))
      nop
      ref.func 25
      ref.is_null
      if
        i32.const 0
        ref.func 29
        table.set 0
        loop
          global.get 32
          i32.eqz
          if
            i32.const 91
            global.set 32
            unreachable
          end
          global.get 32
          i32.const 1
          i32.sub
          global.set 32
          i32.const -32768
          local.tee 11
          i32.eqz
          drop
          block
            local.get 12
            i32.const 2
            i32.const 1023
            i32.and
            array.new 11
            ref.is_null
            i32.const 56
            i32.const 1023
            i32.and
            array.new 11
            ref.test (ref 11)
            i32.const 15
            i32.and
            f32.load offset=2 align=1
            call 31
            i32.trunc_sat_f32_s
            if (result (ref none))
              nop
              ref.null none
              ref.as_non_null
            else
              ref.null none
              ref.as_non_null
              local.tee 178
              ref.as_non_null
              ref.is_null
              drop
              loop
                global.get 32
                i32.eqz
                if
                  i32.const 91
                  global.set 32
                  unreachable
                end
                global.get 32
                i32.const 1
                i32.sub
                global.set 32
                local.get 231
                br_on_null 0
                drop
                i32.const 524288
                br_if 0
                loop
                  global.get 32
                  i32.eqz
                  if
                    i32.const 91
                    global.set 32
                    unreachable
                  end
                  global.get 32
                  i32.const 1
                  i32.sub
                  global.set 32
                  i32.const 255
                  if (result f64)
                    f64.const 0
                  else
                    nop
                    br 1
                  end
                  drop
                  i32.const 1
                  i32.const 10
                  i32.const 1023
                  i32.and
                  array.new 11
                  ref.func 20
                  i32.const 33554433
                  i32.const 15
                  i32.const 1023
                  i32.and
                  array.new_default 8
                  f64.const -7
                  struct.new 13
                  return
                end
                unreachable
              end
              unreachable
              local.set 267
              local.set 226
              local.set 265
              local.set 203
              local.set 240
              local.set 241
              local.set 266
              local.set 226
              local.set 182
            end
            ref.func 9
            struct.new 7
            local.tee 123
            ref.as_non_null
            br_on_null 0
            drop
            block (result nullref)
              block
                try_table (result nullref) (catch_all 0)
                  ref.null none
                end
                br 1
              end
              ref.null none
              drop
              ref.null none
            end
            drop
            ref.null none
            array.new_fixed 15 0
            ref.cast (ref 15)
            ref.eq
            i32.eqz
            br_if 1
            local.get 11
            i32.eqz
            br_if 0
          end
        end
      else
        block
          i32.const 4096
          ref.i31
          i32.const 639441487
          i32.const 88
          i32.const 1023
          i32.and
          array.new 8
          ref.eq
          local.tee 11
          i32.const 15
          i32.and
          i32.load16_u offset=2
          block
            try_table
              nop
            end
            local.get 13
            i32.const 62
            i32.const 1023
            i32.and
            array.new 11
            ref.func 20
            i32.const 65414
            i32.const 24
            i32.const 1023
            i32.and
            array.new_default 8
            f64.const -0
            struct.new 13
            return
          end
          unreachable
          local.set 183
          local.set 242
          local.set 173
        end
      end
      i32.const 95
      i32.const 1023
      i32.and
      array.new_default 11
      ref.func 20
      i32.const -39
      i32.const 98
      i32.const 1023
      i32.and
      array.new_default 8
      f64.const 65525
      struct.new 13
      return
      local.set 236
      local.set 18
      local.set 206
      local.set 234
      local.set 253
      local.set 252
      local.set 203
      local.set 209
      local.set 232
      local.set 268
      local.set 232
      local.set 203
      local.set 182
      local.set 268
      local.set 224
      local.set 268
      local.set 261
      local.set 227
      local.set 227
      local.set 267
      local.set 204
      local.set 195
      local.set 196
      local.set 238
      local.set 237
      local.set 239
    end)
  (func (type 31) (param f32) (result (ref null 5))
    (local eqref)
    (local arrayref arrayref)
    (local funcref)
    (local exnref exnref exnref)
    (local (ref 3))
    (local (ref 1))
    (local i31ref)
    (local (ref 7) (ref 7) (ref 7))
    (local f32)
    (local i64)
    (local i32)
    local.get 0
    call 31
    local.set 0
    global.get 32
    i32.eqz
    if
      i32.const 91
      global.set 32
      unreachable
    end
    global.get 32
    i32.const 1
    i32.sub
    global.set 32
    block (result (ref none))
      ref.null none
      ref.as_non_null
      ref.null none
      ref.as_non_null
      loop (result i31ref)
        global.get 32
        i32.eqz
        if
          i32.const 91
          global.set 32
          unreachable
        end
        global.get 32
        i32.const 1
        i32.sub
        global.set 32
        block (result (ref 1))
          block (result exnref)
            try_table (result (ref 1)) (catch 0 0)
              i32.const -113
              global.get 26
              call 31
              ref.null none
              ref.null nofunc
              ref.as_non_null
              f64.const -4294967294.778
              v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
              ref.null nofunc
              ref.cast (ref nofunc)
              i64.const -89
              ref.null none
              ref.func 27
              call_ref 22
              local.get 16
              struct.new 3
              ref.cast (ref 3)
              struct.new 1
            end
            br 1
          end
          local.set 7
          local.get 7
          local.set 6
          local.get 16
          local.get 0
          ref.null none
          ref.null nofunc
          ref.as_non_null
          struct.new 7
          ref.func 9
          f64.const 65442
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          global.get 6
          i32.const 75
          i32.const 1023
          i32.and
          array.new 11
          local.get 16
          struct.new 3
          struct.new 1
          ref.cast (ref 1)
        end
        global.get 9
        ref.func 9
        struct.new 7
        ref.null nofunc
        f64.const 103
        v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
        ref.null none
        ref.as_non_null
        local.get 16
        struct.new 3
        local.tee 8
        struct.set 1 2
        i32.const -36
        i32.eqz
        br_if 0
        local.get 10
      end
      ref.null none
      ref.as_non_null
      local.tee 13
      local.tee 12
      local.tee 11
      ref.eq
      select (result (ref none))
      call 6
      ref.null none
      ref.as_non_null
    end)
  (func (type 32) (param f32) (result f32)
    local.get 0
    local.get 0
    f32.eq
    if (result f32)
      local.get 0
    else
      f32.const 0
    end)
  (func (type 33) (param f64) (result f64)
    local.get 0
    local.get 0
    f64.eq
    if (result f64)
      local.get 0
    else
      f64.const 0
    end)
  (func (type 34) (param v128) (result v128)
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
    if (result v128)
      local.get 0
    else
      v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    end)
  (table 3 funcref (ref.null nofunc))
  (table 2 exnref)
  (memory 16 16)
  (tag (type 23) (param exnref))
  (tag (type 16))
  (tag (type 16))
  (global f64 (f64.const 0))
  (global (mut (ref null 8)) (array.new_default 8 (i32.const 72)))
  (global (ref null 9) (ref.null nofunc))
  (global exnref (ref.null noexn))
  (global i32 (i32.const -1858331621))
  (global f64 (f64.const 8191))
  (global (ref null 8) (array.new 8 (global.get 6) (i32.const 50)))
  (global (mut (ref struct)) (struct.new_default 14))
  (global i32 (i32.const -10139))
  (global (ref null 7) (struct.new 7 (struct.new_default 14) (ref.func 9)))
  (global (ref null 9) (ref.null nofunc))
  (global i32 (i32.const -126))
  (global (ref array) (array.new_fixed 15 0))
  (global (mut f32) (f32.const -95))
  (global (mut i32) (i32.const -2))
  (global (mut structref) (struct.new_default 14))
  (global (mut f64) (f64.const 3348))
  (global arrayref (array.new_fixed 15 0))
  (global i32 (i32.const 127))
  (global v128 (v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000))
  (global i32 (i32.const -6944672))
  (global i32 (i32.const 128))
  (global eqref (ref.i31 (i32.const -4194304)))
  (global (mut eqref) (global.get 24))
  (global (mut f32) (f32.const -0.625))
  (global i64 (i64.const 127))
  (global (mut arrayref) (array.new_fixed 15 0))
  (global f64 (global.get 2))
  (global i64 (global.get 27))
  (global i64 (global.get 30))
  (global (mut i32) (i32.const 91))
  (export "global$" (global 2))
  (export "global$_1" (global 3))
  (export "global$_3" (global 6))
  (export "global$_4" (global 7))
  (export "global$_6" (global 9))
  (export "global$_9" (global 14))
  (export "global$_11" (global 18))
  (export "global$_14" (global 25))
  (export "global$_16" (global 27))
  (export "tag$" (tag 0))
  (export "tag$_1" (tag 1))
  (export "ref_func_target_invoker" (func 10))
  (export "func_invoker" (func 12))
  (export "func_13_invoker" (func 14))
  (export "func_15_invoker" (func 16))
  (export "func_17_invoker" (func 19))
  (export "func_20" (func 21))
  (export "func_22" (func 22))
  (export "func_22_invoker" (func 23))
  (export "func_24" (func 24))
  (export "func_25_invoker" (func 26))
  (export "func_27" (func 27))
  (export "func_27_invoker" (func 28))
  (export "func_30" (func 30))
  (elem (offset (i32.const 0)) func 13 21 27)
  (elem declare func 15 18 19 24 25 26 29 12 6 4 7 1 5 9 17 20)
  (data "e\d6\a2i\11\95t\03v\d57[C\f4q\98\ed\19\c6\e2\1c\81\e3\1a\a6")
  (data (offset (i32.const 0)))
  (data (offset (i32.const 0)) "z\0a#l\0d\0e\cb\16\b51M\bdn\13\09\9e[{\cf\0b")
  (@custom "binaryen.js.called" (before code) "\03\0d\01\00\00\0f\01\00\00\18\01\00\00"))
