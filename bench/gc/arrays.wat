;; Wasm GC arrays: each round allocates an i32 array and fills it element by element, copies it into a
;; fresh one (array.copy), overwrites a stretch (array.fill), sums the copy, and keeps the sum as one
;; element of an f64 array and of an array of references to the rounds' arrays, which are summed at the end.
;; run(rounds) returns an i32 checksum.
(module
  (type $ints (array (mut i32)))
  (type $floats (array (mut f64)))
  (type $refs (array (mut (ref null $ints))))

  (func $round (param $k i32) (param $len i32) (result (ref $ints))
    (local $a (ref $ints)) (local $b (ref $ints)) (local $i i32)
    (local.set $a (array.new_default $ints (local.get $len)))
    (loop $fill
      (array.set $ints (local.get $a) (local.get $i)
        (i32.xor (i32.mul (local.get $i) (i32.const 0x9e3779b1)) (local.get $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $len))))
    (local.set $b (array.new $ints (i32.const 7) (local.get $len)))
    (array.copy $ints $ints (local.get $b) (i32.const 0) (local.get $a) (i32.const 0) (local.get $len))
    (array.fill $ints (local.get $b) (i32.shr_u (local.get $len) (i32.const 2)) (local.get $k)
      (i32.shr_u (local.get $len) (i32.const 3)))
    (local.get $b))

  (func $sum (param $a (ref $ints)) (result i32)
    (local $i i32) (local $s i32) (local $n i32)
    (local.set $n (array.len (local.get $a)))
    (loop $next
      (local.set $s (i32.add (local.get $s) (array.get $ints (local.get $a) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))

  (func (export "run") (param $rounds i32) (result i32)
    (local $k i32) (local $sums (ref $floats)) (local $kept (ref $refs)) (local $b (ref $ints))
    (local $total f64) (local $check i32)
    (local.set $sums (array.new_default $floats (local.get $rounds)))
    (local.set $kept (array.new_default $refs (i32.const 16)))
    (loop $rounds
      (local.set $b (call $round (local.get $k) (i32.add (i32.const 1000) (i32.and (local.get $k) (i32.const 255)))))
      (array.set $floats (local.get $sums) (local.get $k) (f64.convert_i32_s (call $sum (local.get $b))))
      ;; Sixteen of the rounds' arrays stay alive a while (a ring of references).
      (array.set $refs (local.get $kept) (i32.and (local.get $k) (i32.const 15)) (local.get $b))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $k) (local.get $rounds))))
    (local.set $k (i32.const 0))
    (loop $add
      (local.set $total (f64.add (local.get $total) (array.get $floats (local.get $sums) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $add (i32.lt_u (local.get $k) (local.get $rounds))))
    (local.set $k (i32.const 0))
    (loop $ring
      (local.set $check (i32.add (local.get $check)
        (call $sum (ref.as_non_null (array.get $refs (local.get $kept) (local.get $k))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $ring (i32.lt_u (local.get $k) (i32.const 16))))
    (i32.xor (local.get $check) (i32.trunc_sat_f64_s (f64.div (local.get $total) (f64.const 1024)))))
)
