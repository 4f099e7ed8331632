// RUN: norm-opt %s --norm-lower-to-cpu="vector-width=32" | FileCheck %s
// RUN: norm-opt %s --norm-reference-to-llvm | FileCheck %s --check-prefix=REF
// RUN: norm-opt %s --norm-lower-to-cpu="vector-width=32 native-bf16" | FileCheck %s --check-prefix=BF16
// RUN: norm-opt %s --norm-lower-to-cpu="vector-width=32" | FileCheck %s --check-prefix=NOBF16

// The CPU pipeline reaches the LLVM dialect with an OpenMP team over the
// rows and 32-wide vector code, without the reference decomposition.
// CHECK-LABEL: llvm.func @rms_norm
// CHECK:       omp.parallel
// CHECK:       omp.wsloop
// CHECK:       llvm.load %{{.*}} : !llvm.ptr -> vector<32xi16>
// CHECK:       llvm.intr.vector.reduce.fadd
// CHECK:       llvm.store %{{.*}} : vector<32xi16>, !llvm.ptr
// CHECK-NOT:   linalg
// CHECK-NOT:   norm.

// With AVX512-BF16 (native-bf16) the paired rows round both halves with
// vcvtne2ps2bf16 (norm-pack-bf16-pairs) and bf16 is loaded and stored as
// such; without it, no x86 intrinsic, and bf16 memory is i16
// (norm-bf16-memory-as-i16).
// BF16-LABEL: llvm.func @rms_norm
// BF16:       llvm.load %{{.*}} : !llvm.ptr -> vector<32xbf16>
// BF16:       llvm.call_intrinsic "llvm.x86.avx512bf16.cvtne2ps2bf16.512"
// NOBF16-LABEL: llvm.func @rms_norm
// NOBF16-NOT:   llvm.call_intrinsic
// NOBF16-NOT:   -> vector<32xbf16>

// The reference pipeline is sequential scalar code.
// REF-LABEL: llvm.func @rms_norm
// REF-NOT:   omp.
// REF-NOT:   vector<
func.func @rms_norm(%x: tensor<?x4096xbf16>, %g: tensor<4096xbf16>) -> tensor<?x4096xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<4096xbf16>) {axes = array<i64: 1>} : tensor<?x4096xbf16> -> tensor<?x4096xbf16>
  return %y : tensor<?x4096xbf16>
}
