(module
  (type (func (result v128)))
  (type (func))
  (type (func (param v128) (result v128)))
  (func (type 0) (result v128)
    i64.const -35184372088831
    v128.load offset=22 align=4
    call 2
    i64x2.extract_lane 1
    i64x2.splat
    call 2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    i16x8.lt_s
    call 2)
  (func (type 1)
    call 0
    call 2
    drop)
  (func (type 2) (param v128) (result v128)
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
  (memory i64 16 16)
  (export "func_45_invoker" (func 1)))
