;; Dot products of float32 rows with one probe, four lanes at a time (WASM SIMD, f32x4).
;; Compiled to dot-kernel.wasm.ts by scripts/build-dot-kernel.mjs; a test recompiles it and
;; compares the bytes.
(module
  (import "env" "memory" (memory 1))

  ;; out[i] = dot(probe, rows[i]) for rows[i] = base + i*dim*4, i < n; dim a multiple of 4
  (func (export "scan") (param $probe i32) (param $base i32) (param $n i32) (param $dim i32) (param $out i32)
    (local $i i32) (local $row i32) (local $k i32) (local $acc v128) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $row (local.get $base))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $k) (local.get $bytes)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load (i32.add (local.get $probe) (local.get $k)))
                  (v128.load (i32.add (local.get $row) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; out[j] = dot(probe, row idx[j]) for j < n: the rows an index chose, wherever they are
  (func (export "gather") (param $probe i32) (param $base i32) (param $idx i32) (param $n i32) (param $dim i32) (param $out i32)
    (local $j i32) (local $row i32) (local $k i32) (local $acc v128) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $row
          (i32.add (local.get $base)
            (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $bytes))))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $k) (local.get $bytes)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (v128.load (i32.add (local.get $probe) (local.get $k)))
                  (v128.load (i32.add (local.get $row) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows))))

  ;; int8 rows: out[j] = dot(probe8, row idx[j]) as i32, for j < n; dim a multiple of 16.
  ;; A quarter of the bytes of float32 and 16 multiply-adds per three instructions.
  (func (export "gather8") (param $probe i32) (param $base i32) (param $idx i32) (param $n i32) (param $dim i32) (param $out i32)
    (local $j i32) (local $row i32) (local $k i32) (local $acc v128) (local $a v128) (local $b v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $row
          (i32.add (local.get $base)
            (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $dim))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $k) (local.get $dim)))
            (local.set $a (v128.load (i32.add (local.get $probe) (local.get $k))))
            (local.set $b (v128.load (i32.add (local.get $row) (local.get $k))))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a)) (i16x8.extend_low_i8x16_s (local.get $b)))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a)) (i16x8.extend_high_i8x16_s (local.get $b))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rows)))))
