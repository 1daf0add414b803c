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

;; Sign codes: dist[i] = popcount(probe XOR row i) for rows of `bytes` bytes (a multiple of 16)
  ;; at base + i*bytes, i < n, and hist[d] += 1 for each (hist: dim + 2 i32 counters, zeroed by
  ;; the caller), so the shortlist's cut is found without another pass. The coarse stage of 1:N:
  ;; 128 bytes a row at 1,024 dimensions, where a float32 row is 4,096 bytes. Scalar i64.popcnt,
  ;; two words an iteration: x86 has a popcount instruction but no byte-wise SIMD one, and
  ;; i8x16.popcnt measured slower here.
  (func (export "hamming") (param $probe i32) (param $base i32) (param $n i32) (param $bytes i32) (param $dist i32) (param $hist i32)
    (local $i i32) (local $row i32) (local $k i32) (local $acc i64) (local $d i32) (local $h i32)
    (local.set $row (local.get $base))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.const 0))
        (local.set $k (i32.const 0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $k) (local.get $bytes)))
            (local.set $acc
              (i64.add (local.get $acc)
                (i64.add
                  (i64.popcnt
                    (i64.xor
                      (i64.load (i32.add (local.get $probe) (local.get $k)))
                      (i64.load (i32.add (local.get $row) (local.get $k)))))
                  (i64.popcnt
                    (i64.xor
                      (i64.load offset=8 (i32.add (local.get $probe) (local.get $k)))
                      (i64.load offset=8 (i32.add (local.get $row) (local.get $k))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $cols)))
        (local.set $d (i32.wrap_i64 (local.get $acc)))
        (i32.store (i32.add (local.get $dist) (i32.shl (local.get $i) (i32.const 2))) (local.get $d))
        (local.set $h (i32.add (local.get $hist) (i32.shl (local.get $d) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; The shortlist: ids[..] = every row with dist < cut, then rows with dist = cut until `take`
  ;; are written (below = how many are under the cut, from the histogram). Returns the count.
  (func (export "collect") (param $dist i32) (param $n i32) (param $cut i32) (param $below i32) (param $take i32) (param $ids i32) (result i32)
    (local $r i32) (local $d i32) (local $lo i32) (local $tie i32)
    (local.set $tie (local.get $below))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $d (i32.load (i32.add (local.get $dist) (i32.shl (local.get $r) (i32.const 2)))))
        (if (i32.lt_u (local.get $d) (local.get $cut))
          (then
            (i32.store (i32.add (local.get $ids) (i32.shl (local.get $lo) (i32.const 2))) (local.get $r))
            (local.set $lo (i32.add (local.get $lo) (i32.const 1))))
          (else
            (if (i32.and (i32.eq (local.get $d) (local.get $cut)) (i32.lt_u (local.get $tie) (local.get $take)))
              (then
                (i32.store (i32.add (local.get $ids) (i32.shl (local.get $tie) (i32.const 2))) (local.get $r))
                (local.set $tie (i32.add (local.get $tie) (i32.const 1)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (select (local.get $lo) (local.get $tie) (i32.gt_u (local.get $lo) (local.get $tie)))))
