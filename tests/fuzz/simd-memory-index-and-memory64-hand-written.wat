(module
  (type (func (result i32)))
  (func (type 0) (result i32)
    i32.const 0
    v128.load $b
    i32x4.extract_lane 1)
  (func (type 0) (result i32)
    i32.const 0
    v128.load32_splat $b offset=4
    i32x4.extract_lane 0)
  (func (type 0) (result i32)
    i64.const 16
    v128.load $c
    i32x4.extract_lane 0)
  (func (type 0) (result i32)
    i64.const 4294967312
    v128.load $c
    i32x4.extract_lane 0)
  (func (type 0) (result i32)
    i64.const 1
    v128.load $c offset=65520
    i32x4.extract_lane 0)
  (func (type 0) (result i32)
    i32.const 0
    v128.const i32x4 0x00000007 0x00000008 0x00000009 0x0000000a
    v128.store $b offset=32
    i64.const 100
    v128.const i32x4 0x00000007 0x00000008 0x00000009 0x0000000a
    v128.store32_lane $c 2
    i32.const 0
    i32.load $b offset=36
    i64.const 100
    i32.load $c
    i32.add)
  (func (type 0) (result i32)
    i32.const 8
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.load32_lane $b 3
    i32x4.extract_lane 3)
  (func (type 0) (result i32)
    (local $i i32)
    (local $s i32)
    loop $l
      local.get $s
      local.get $i
      v128.load $b
      i32x4.extract_lane 0
      i32.add
      local.set $s
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      local.get $i
      i32.const 3000
      i32.lt_u
      br_if $l
    end
    local.get $s)
  (func (type 0) (result i32)
    i32.const 0
    v128.load
    i32x4.extract_lane 0)
  (memory $a 1 1)
  (memory $b 1 1)
  (memory $c i64 1 1)
  (export "b0" (func 0))
  (export "b1" (func 1))
  (export "c0" (func 2))
  (export "c1" (func 3))
  (export "c2" (func 4))
  (export "st" (func 5))
  (export "lane" (func 6))
  (export "loop" (func 7))
  (export "a0" (func 8))
  (data (memory $b) (offset (i32.const 0)) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data (memory $c) (offset (i64.const 16)) "\11\12\13\14\15\16\17\18\19\1a\1b\1c\1d\1e\1f "))
