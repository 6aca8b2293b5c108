(module
  (type (;0;) (func (result i32)))
  (type (;1;) (func (param i32) (result i32)))
  (func (;0;) (type 0) (result i32)
    (local i32)
    i32.const 1
    local.set 0
    i32.const 5
    local.get 0
    i32.le_u
    drop
    local.get 0
    if (result i32)  ;; label = @1
      i32.const 10
    else
      i32.const 20
    end)
  (func (;1;) (type 1) (param i32) (result i32)
    block  ;; label = @1
      local.get 0
      i32.const 100
      i32.gt_s
      drop
      i32.const 1
      br_if 0 (;@1;)
      i32.const 7
      return
    end
    i32.const 8)
  (export "f0" (func 0))
  (export "f1" (func 1)))
