// The vector width follows the target: AVX-512 registers for an AVX-512 CPU,
// 256-bit ones for AVX2, 128-bit SSE for the portable x86-64 baseline.
// RUN: norm-compile %s -o %t.avx512.o --target-cpu=skylake-avx512
// RUN: llvm-objdump -d %t.avx512.o | FileCheck %s --check-prefix=AVX512
// AVX512: zmm
// RUN: norm-compile %s -o %t.avx2.o --target-cpu=haswell
// RUN: llvm-objdump -d %t.avx2.o | FileCheck %s --check-prefix=AVX2
// AVX2-NOT: zmm
// AVX2: ymm
// AVX2-NOT: zmm
// RUN: norm-compile %s -o %t.sse.o --target-cpu=x86-64
// RUN: llvm-objdump -d %t.sse.o | FileCheck %s --check-prefix=SSE
// SSE-NOT: {{[yz]mm}}
// SSE: xmm
// SSE-NOT: {{[yz]mm}}
// RUN: norm-compile %s -o %t.feat.o --target-cpu=x86-64 --cpu-features=+avx2,+fma
// RUN: llvm-objdump -d %t.feat.o | FileCheck %s --check-prefix=AVX2
func.func @rms(%x: tensor<?x?xf32>, %g: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = norm.rms_norm %x gamma(%g : tensor<?xf32>) {axes = array<i64: 1>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
