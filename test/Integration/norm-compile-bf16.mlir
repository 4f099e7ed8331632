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
// NOCALL-NOT: __{{truncsfbf2|extendbfsf2|truncdfbf2|truncdfhf2}}
// NOCALL: __kmpc_fork_call
// NOCALL-NOT: __{{truncsfbf2|extendbfsf2|truncdfbf2|truncdfhf2}}
func.func @rms(%x: tensor<?x?xbf16>, %g: tensor<?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.rms_norm %x gamma(%g : tensor<?xbf16>) {axes = array<i64: 1>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}

// f64 arithmetic rounded to bf16 and f16 (norm-narrow-f64): no
// __truncdfbf2 (in neither the JIT nor Debian 12's libgcc) nor a
// __truncdfhf2 call per element.
func.func @ln_f64(%x: tensor<?x?xbf16>, %z: tensor<?x?xf16>) -> (tensor<?x?xbf16>, tensor<?x?xf16>) {
  %y = norm.layer_norm %x {axes = array<i64: 1>, compute_type = f64} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  %w = norm.layer_norm %z {axes = array<i64: 1>, compute_type = f64} : tensor<?x?xf16> -> tensor<?x?xf16>
  return %y, %w : tensor<?x?xbf16>, tensor<?x?xf16>
}
