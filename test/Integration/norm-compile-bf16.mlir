// f32 -> bf16 rounding uses the hardware instruction where the target has
// AVX512-BF16, and an integer sequence elsewhere; never a libcall that
// Debian 12's libgcc lacks (__truncsfbf2).
// RUN: norm-compile %s -o %t.spr.o --target-cpu=sapphirerapids
// RUN: llvm-objdump -d %t.spr.o | FileCheck %s --check-prefix=NATIVE
// NATIVE: vcvtneps2bf16
// RUN: norm-compile %s -o %t.hsw.o --target-cpu=haswell
// RUN: llvm-objdump -d %t.hsw.o | FileCheck %s --check-prefix=EXPANDED
// EXPANDED-NOT: vcvtneps2bf16
// RUN: llvm-nm --undefined-only %t.hsw.o | FileCheck %s --check-prefix=NOCALL
// RUN: llvm-nm --undefined-only %t.spr.o | FileCheck %s --check-prefix=NOCALL
// NOCALL-NOT: __truncsfbf2
// NOCALL-NOT: __extendbfsf2
// NOCALL: __kmpc_fork_call
func.func @rms(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
