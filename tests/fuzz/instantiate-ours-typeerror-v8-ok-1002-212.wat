(module
  (type (func (param f64)))
  (type (func (param v128)))
  (type (func (result f64)))
  (type (func))
  (import "fuzzing-support" "log-f64" (func (type 0) (param f64)))
  (import "fuzzing-support" "log-v128" (func (type 1) (param v128)))
  (func (type 2) (result f64)
    (local f64)
    block
      block
        try_table (catch_all 0)
          v128.const i32x4 0x00000000 0x42400000 0x00000000 0x80000000
          call 1
        end
        br 1
      end
      i32.const 22
      i32.load align=1
      f64.convert_i32_u
      local.tee 0
      f64.const 0
      local.get 0
      local.get 0
      f64.eq
      select
      call 0
    end
    f64.const 0)
  (func (type 3)
    call 2
    drop)
  (memory 16 16)
  (start 3)
  (data (offset (i32.const 0)) "\b6\11\c2t\d8\0a\9c")
  (@custom "binaryen.js.called" (after datacount) "\01\02\01\00\00"))
