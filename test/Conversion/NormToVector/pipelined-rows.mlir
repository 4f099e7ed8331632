// RUN: norm-opt %s --norm-convert-to-vector=vector-width=64 --canonicalize --split-input-file | FileCheck %s

// Rows of 16 KiB whose input and output (64 MiB) leave the L3, when the
// output starts on a 64-byte line (every row is then streamed): chunks of
// 32 rows; the first row's statistics alone, then a loop over the rows
// that carries the statistics (pivot, shift, rstd) of the row it
// normalizes, in the loop that sums the next row: each vector of the next
// row prefetches its input 1024 elements (4 KiB) further on into L1 (through
// a one-dimensional view of the input, from a position each row computes
// once and clamps to the last row), then in each of its four slices (of 16 elements, whole 64-byte lines) the
// same position of this row is normalized and streamed out and the next
// row's x - pivot and its square are added. The chunk's last row is
// normalized after the loop. Otherwise, the plain row kernel.
// CHECK-LABEL: func.func @pipelined
// CHECK:       %[[ALIGNED:.*]] = arith.cmpi eq, %{{.*}}, %c0 : index
// CHECK:       scf.if %[[ALIGNED]] {
// CHECK:         %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1]] : memref<2048x4096xf32> into memref<8388608xf32>
// CHECK:         scf.parallel (%[[CHUNK:.*]]) = (%c0) to (%c64) step (%c1) {
// CHECK:           %[[LO:.*]] = arith.muli %[[CHUNK]], %c32 : index
// CHECK:           %[[LAST:.*]] = arith.subi %{{.*}}, %c1 : index
// CHECK:           %[[STATS:.*]]:3 = scf.for %[[ROW:.*]] = %[[LO]] to %[[LAST]] step %c1 iter_args({{.*}}) -> (f32, f32, f32) {
// CHECK:             %[[NEXT:.*]] = arith.addi %[[ROW]], %c1 : index
// CHECK:             %[[START:.*]] = arith.muli %[[NEXT]], %c4096 : index
// CHECK:             %[[AHEAD:.*]] = arith.addi %[[START]], %c1024 : index
// CHECK:             %[[BASE:.*]] = arith.minui %[[AHEAD]], %c8384512 : index
// CHECK:             scf.for %[[J:.*]] = %c0 to %c4096 step %c64 iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>) {
// CHECK:               %[[AT:.*]] = arith.addi %[[BASE]], %[[J]] : index
// CHECK:               memref.prefetch %[[FLAT]][%[[AT]]], read, locality<3>, data : memref<8388608xf32>
// CHECK-COUNT-3:       memref.prefetch %[[FLAT]][%{{.*}}], read, locality<3>, data : memref<8388608xf32>
// CHECK:               vector.load %{{.*}}[%[[ROW]], %[[J]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.store %{{.*}}, %{{.*}}[%[[ROW]], %[[J]]] {alignment = 64 : i64, nontemporal = true} : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.load %{{.*}}[%[[NEXT]], %[[J]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.insert_strided_slice %{{.*}}, %{{.*}} {offsets = [0], strides = [1]} : vector<16xf32> into vector<64xf32>
// CHECK:               %[[J16:.*]] = arith.addi %[[J]], %c16 : index
// CHECK:               vector.load %{{.*}}[%[[ROW]], %[[J16]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.store %{{.*}}, %{{.*}}[%[[ROW]], %[[J16]]] {alignment = 64 : i64, nontemporal = true} : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.load %{{.*}}[%[[NEXT]], %[[J16]]] : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.insert_strided_slice %{{.*}}, %{{.*}} {offsets = [16], strides = [1]} : vector<16xf32> into vector<64xf32>
// CHECK:               %[[J48:.*]] = arith.addi %[[J]], %c48 : index
// CHECK:               vector.store %{{.*}}, %{{.*}}[%[[ROW]], %[[J48]]] {alignment = 64 : i64, nontemporal = true} : memref<2048x4096xf32>, vector<16xf32>
// CHECK:               vector.insert_strided_slice %{{.*}}, %{{.*}} {offsets = [48], strides = [1]} : vector<16xf32> into vector<64xf32>
// CHECK-NOT:           vector.load
// CHECK:               scf.yield %{{.*}}, %{{.*}} : vector<64xf32>, vector<64xf32>
// CHECK:             scf.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
// CHECK:           vector.store %{{.*}}, %{{.*}}[%[[LAST]], %{{.*}}] {alignment = 64 : i64, nontemporal = true}
// CHECK:       } else {
// CHECK:         scf.parallel (%{{.*}}) = (%c0) to (%c2048) step (%c1) {
func.func @pipelined(%x: tensor<2048x4096xf32>) -> tensor<2048x4096xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2048x4096xf32> -> tensor<2048x4096xf32>
  return %y : tensor<2048x4096xf32>
}

// -----

// Rows of 512 bytes (under 1 KiB), or rows of 16 KiB whose output stays
// under the streaming threshold (8 MiB, not streamed; rows in cache are
// pipelined only up to 8 KiB, below): the plain row kernel only.
// CHECK-LABEL: func.func @short_rows
// CHECK-NOT:   locality<3>
// CHECK:       return
func.func @short_rows(%x: tensor<65536x128xf32>) -> tensor<65536x128xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<65536x128xf32> -> tensor<65536x128xf32>
  return %y : tensor<65536x128xf32>
}
// CHECK-LABEL: func.func @in_cache
// CHECK-NOT:   locality<3>
// CHECK-NOT:   iter_args({{.*}}) -> (f32)
// CHECK:       return
func.func @in_cache(%x: tensor<512x4096xf32>) -> tensor<512x4096xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<512x4096xf32> -> tensor<512x4096xf32>
  return %y : tensor<512x4096xf32>
}

// -----

// Rows of 512 bytes to 8 KiB whose output stays in cache (here 8 MiB,
// rows of 4 KiB): the same pipeline with ordinary stores and no prefetch (the rows
// are in cache), so that each row's statistics overlap the previous row's
// normalization. Not for centered f32 rows (LayerNorm f32: no faster).
// CHECK-LABEL: func.func @cached
// CHECK:       scf.parallel (%[[CHUNK:.*]]) = (%c0) to (%c64) step (%c1) {
// CHECK:         scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args({{.*}}) -> (f32) {
// CHECK:           %[[NEXT:.*]] = arith.addi %[[ROW]], %c1 : index
// CHECK-NOT:       memref.prefetch
// CHECK:           vector.store %{{.*}}, %{{.*}}[%[[ROW]], %{{.*}}] : memref<2048x1024xf32>, vector<16xf32>
// CHECK:           vector.load %{{.*}}[%[[NEXT]], %{{.*}}] : memref<2048x1024xf32>, vector<16xf32>
// CHECK-NOT:   nontemporal
// CHECK-LABEL: func.func @cached_centered_f32
// CHECK-NOT:   iter_args({{.*}}) -> (f32, f32, f32)
// CHECK:       return
func.func @cached(%x: tensor<2048x1024xf32>) -> tensor<2048x1024xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<2048x1024xf32> -> tensor<2048x1024xf32>
  return %y : tensor<2048x1024xf32>
}
func.func @cached_centered_f32(%x: tensor<2048x1024xf32>) -> tensor<2048x1024xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2048x1024xf32> -> tensor<2048x1024xf32>
  return %y : tensor<2048x1024xf32>
}

// -----

// In cache the pipeline starts at rows of 512 bytes (here 128 f32); rows
// of 256 bytes keep the plain kernel.
// CHECK-LABEL: func.func @cached_512
// CHECK:       scf.parallel
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args({{.*}}) -> (f32) {
// CHECK-LABEL: func.func @cached_256
// CHECK-NOT:   iter_args({{.*}}) -> (f32) {
// CHECK:       return
func.func @cached_512(%x: tensor<4096x128xf32>) -> tensor<4096x128xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4096x128xf32> -> tensor<4096x128xf32>
  return %y : tensor<4096x128xf32>
}
func.func @cached_256(%x: tensor<4096x64xf32>) -> tensor<4096x64xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<4096x64xf32> -> tensor<4096x64xf32>
  return %y : tensor<4096x64xf32>
}

// -----

// A problem under 64 KiB runs on the calling thread: its rows (here 8 of
// 4 KiB) are pipelined there (one chunk: the first row's statistics, then
// rows 0 to 6 normalized while the next is summed, then row 7).
// CHECK-LABEL: func.func @small
// CHECK-NOT:   scf.parallel
// CHECK:       scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args({{.*}}) -> (f32) {
// CHECK-NOT:   nontemporal
// CHECK-NOT:   scf.parallel
// CHECK:       return
func.func @small(%x: tensor<8x1024xf32>) -> tensor<8x1024xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<8x1024xf32> -> tensor<8x1024xf32>
  return %y : tensor<8x1024xf32>
}

// -----

// Centered f32 rows (LayerNorm f32) keep the plain kernel in cache over
// the thread team (@cached_centered_f32 above), but are pipelined on the
// calling thread (small problems: the row statistics' serial chain is a
// larger share there), at both widths.
// CHECK-LABEL: func.func @small_centered_f32
// CHECK-NOT:   scf.parallel
// CHECK:       scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args({{.*}}) -> (f32, f32, f32) {
// CHECK:       return
// AVX2-LABEL:  func.func @small_centered_f32
// AVX2:        scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args({{.*}}) -> (f32, f32, f32) {
func.func @small_centered_f32(%x: tensor<8x1024xf32>) -> tensor<8x1024xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<8x1024xf32> -> tensor<8x1024xf32>
  return %y : tensor<8x1024xf32>
}

// -----

// Centered 16-bit rows in cache (LayerNorm bf16, rows of 2 KiB): pipelined
// at AVX-512's vector width (64), whose 32 registers hold the loop's sums,
// squares and constants; at AVX2's (32, 16 registers) the loop spilled and
// the plain kernel was faster, so they keep it. Uncentered rows (RMSNorm
// bf16) are pipelined at both.
// RUN: norm-opt %s --norm-convert-to-vector=vector-width=32 --canonicalize --split-input-file | FileCheck %s --check-prefix=AVX2
// CHECK-LABEL: func.func @cached_centered_bf16
// CHECK:       scf.for %{{.*}} iter_args({{.*}}) -> (f32, f32, f32) {
// AVX2-LABEL:  func.func @cached_centered_bf16
// AVX2-NOT:    iter_args({{.*}}) -> (f32, f32, f32)
// AVX2:        return
// CHECK-LABEL: func.func @cached_bf16
// CHECK:       scf.for %{{.*}} iter_args({{.*}}) -> (f32) {
// AVX2-LABEL:  func.func @cached_bf16
// AVX2:        scf.for %{{.*}} iter_args({{.*}}) -> (f32) {
func.func @cached_centered_bf16(%x: tensor<2048x1024xbf16>) -> tensor<2048x1024xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>} : tensor<2048x1024xbf16> -> tensor<2048x1024xbf16>
  return %y : tensor<2048x1024xbf16>
}
func.func @cached_bf16(%x: tensor<2048x1024xbf16>) -> tensor<2048x1024xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<2048x1024xbf16> -> tensor<2048x1024xbf16>
  return %y : tensor<2048x1024xbf16>
}

// -----

// Rows that leave the L3 with a returned prologue value (a residual sum) or
// a polynomial epilogue (erf, exp, tanh). A bf16 prologue value at AVX2's
// width (its rounding is integer code there), or a polynomial epilogue
// together with a returned prologue value, or at AVX2's width: the plain
// kernel (the pipeline computes the prologue value twice and holds the next
// row's sums beside the epilogue; docs/cpu.md). An f32 prologue value, and
// a polynomial epilogue alone at AVX-512's width, keep the pipeline (its
// prefetch into L1 is `locality<3>`).
// CHECK-LABEL: func.func @kept_bf16
// CHECK:       locality<3>
// AVX2-LABEL:  func.func @kept_bf16
// AVX2-NOT:    locality<3>
// AVX2:        return
// CHECK-LABEL: func.func @kept_f32
// CHECK:       locality<3>
// AVX2-LABEL:  func.func @kept_f32
// AVX2:        locality<3>
// CHECK-LABEL: func.func @kept_tanh
// CHECK-NOT:   locality<3>
// CHECK:       return
// AVX2-LABEL:  func.func @kept_tanh
// AVX2-NOT:    locality<3>
// AVX2:        return
// CHECK-LABEL: func.func @silu
// CHECK:       locality<3>
// AVX2-LABEL:  func.func @silu
// AVX2-NOT:    locality<3>
// AVX2:        return
func.func @kept_bf16(%x: tensor<8192x1024xbf16>, %r: tensor<8192x1024xbf16>) -> (tensor<8192x1024xbf16>, tensor<8192x1024xbf16>) {
  %y, %h = norm.rms_norm %x prologue(%r : tensor<8192x1024xbf16>) -> tensor<8192x1024xbf16> {
  ^bb0(%a: bf16, %b: bf16):
    %s = arith.addf %a, %b : bf16
    norm.yield %s : bf16
  } {axes = array<i64: 1>} : tensor<8192x1024xbf16> -> tensor<8192x1024xbf16>
  return %y, %h : tensor<8192x1024xbf16>, tensor<8192x1024xbf16>
}
func.func @kept_f32(%x: tensor<4096x1024xf32>, %r: tensor<4096x1024xf32>) -> (tensor<4096x1024xf32>, tensor<4096x1024xf32>) {
  %y, %h = norm.rms_norm %x prologue(%r : tensor<4096x1024xf32>) -> tensor<4096x1024xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>} : tensor<4096x1024xf32> -> tensor<4096x1024xf32>
  return %y, %h : tensor<4096x1024xf32>, tensor<4096x1024xf32>
}
func.func @kept_tanh(%x: tensor<4096x1024xf32>, %r: tensor<4096x1024xf32>) -> (tensor<4096x1024xf32>, tensor<4096x1024xf32>) {
  %y, %h = norm.rms_norm %x prologue(%r : tensor<4096x1024xf32>) -> tensor<4096x1024xf32> {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    norm.yield %s : f32
  } epilogue {
  ^bb0(%a: f32):
    %t = math.tanh %a : f32
    norm.yield %t : f32
  } {axes = array<i64: 1>} : tensor<4096x1024xf32> -> tensor<4096x1024xf32>
  return %y, %h : tensor<4096x1024xf32>, tensor<4096x1024xf32>
}
func.func @silu(%x: tensor<4096x1024xf32>) -> tensor<4096x1024xf32> {
  %y = norm.layer_norm %x epilogue {
  ^bb0(%a: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %a, %d : f32
    norm.yield %s : f32
  } {axes = array<i64: 1>} : tensor<4096x1024xf32> -> tensor<4096x1024xf32>
  return %y : tensor<4096x1024xf32>
}

// -----

// Problems of less than 64 KiB run on the calling thread; at AVX-512's
// width, so do rows that the calling thread pipelines up to 160 KiB (the
// team's wake-up and join cost more there). Not at AVX2's width, where the
// team was as fast or faster.
// CHECK-LABEL: func.func @calling_thread_rows
// CHECK:       %[[TINY:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
// CHECK:       %[[UNDER:.*]] = arith.cmpi ult, %{{.*}}, %c163840 : index
// CHECK:       %[[ROWS:.*]] = arith.andi %[[UNDER]], %{{.*}} : i1
// CHECK:       %[[SMALL:.*]] = arith.ori %[[TINY]], %[[ROWS]] : i1
// CHECK:       scf.if %[[SMALL]] {
// CHECK-NOT:     scf.parallel
// CHECK:       } else {
// CHECK:         scf.parallel
// AVX2-LABEL:  func.func @calling_thread_rows
// AVX2-NOT:    163840
// AVX2:        %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
// AVX2:        scf.if %[[SMALL]] {
func.func @calling_thread_rows(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// So do inference batch norm (given statistics) and column slots (NHWC), at
// AVX-512's width only; NCHW training batch norm (slots of several rows)
// keeps the 64 KiB bound.
// CHECK-LABEL: func.func @calling_thread_inference
// CHECK-NOT:   %c65536
// CHECK:       %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c163840 : index
// CHECK-NEXT:  scf.if %[[SMALL]] {
// CHECK-LABEL: func.func @calling_thread_nhwc
// CHECK-NOT:   %c65536
// CHECK:       %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c163840 : index
// CHECK-NEXT:  scf.if %[[SMALL]] {
// CHECK-LABEL: func.func @team_nchw_training
// CHECK-NOT:   163840
// CHECK:       %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
// CHECK-NEXT:  scf.if %[[SMALL]] {
// AVX2-LABEL:  func.func @calling_thread_inference
// AVX2-NOT:    163840
// AVX2:        %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
// AVX2-LABEL:  func.func @calling_thread_nhwc
// AVX2-NOT:    163840
// AVX2:        %[[SMALL:.*]] = arith.cmpi ult, %{{.*}}, %c65536 : index
func.func @calling_thread_inference(%x: tensor<?x?x?x?xf32>, %m: tensor<?xf32>, %v: tensor<?xf32>) -> tensor<?x?x?x?xf32> {
  %y = norm.batch_norm_inference %x, %m, %v : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @calling_thread_nhwc(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y, %m, %v = norm.batch_norm %x {channel_axis = 3} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y : tensor<?x?x?x?xf32>
}
func.func @team_nchw_training(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %y, %m, %v = norm.batch_norm %x : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y : tensor<?x?x?x?xf32>
}
