(module
  (type (func (param i64)))
  (type (func (param v128)))
  (type (func))
  (import "fuzzing-support" "log-v128" (func (type 1) (param v128)))
  (func (type 2)
    block
      block (result i64)
        try_table (catch 0 0) (catch_all 1)
          v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
          call 0
          br 2
        end
        unreachable
      end
      drop
    end)
  (tag (type 0) (param i64))
  (export "func_93_invoker" (func 1)))
