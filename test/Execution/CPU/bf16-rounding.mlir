// f32 -> bf16 rounding, bit-exact against the float64 reference (round to
// nearest even, NaN kept NaN), on the host (AVX512-BF16's vcvtneps2bf16
// where it has it) and with the integer expansion of norm-expand-bf16 (AVX2
// and the x86-64 baseline, compiled here with --target-cpu). The one
// difference: vcvtneps2bf16 takes f32 subnormals (|x| < 2^-126) as zero,
// so on the host they may round to 0 (an error under 1.2e-38).
// RUN: norm-run %s --function=special --input=16xf32=-0 --check --tolerance=1.2e-38,0 | FileCheck %s --check-prefix=SPECIAL
// RUN: norm-run %s --function=special --input=16xf32=-0 --check --tolerance=0,0 --target-cpu=x86-64-v3 | FileCheck %s --check-prefix=SPECIAL
// RUN: norm-run %s --function=special --input=16xf32=-0 --check --tolerance=0,0 --target-cpu=x86-64 | FileCheck %s --check-prefix=SPECIAL
// RUN: norm-run %s --function=sweep --input="100003xf32=random(-3e4,3e4)" --check --tolerance=0,0 | FileCheck %s
// RUN: norm-run %s --function=sweep --input="100003xf32=random(-3e4,3e4)" --check --tolerance=0,0 --target-cpu=x86-64-v3 | FileCheck %s
// RUN: norm-run %s --function=sweep --input="100003xf32=random(-1e-38,1e-38)" --check --tolerance=0,0 --target-cpu=x86-64-v3 | FileCheck %s
// RUN: not norm-run %s --function=sweep --input=4xf32=1 --target-cpu=no-such-cpu 2>&1 | FileCheck %s --check-prefix=BADCPU
// Ties go to even (1 + 2^-8 -> 1, 1 + 3 2^-8 -> 1 + 2^-6), the largest
// finite f32 rounds to infinity, a NaN whose payload fills the mantissa
// stays NaN (adding the rounding bias to its bits would give -0), the
// largest subnormal rounds up to the smallest normal.
// SPECIAL: result[0]: tensor<16xbf16> [1, 1, 1.01562, 1.00781, inf, 3.38953e+38, ...]
// SPECIAL: check result[0]: {{.*}}: ok
// CHECK: check result[0]: {{.*}}: ok
// BADCPU: norm-run: error: unknown target CPU 'no-such-cpu'

// x + (-0) is x for every x (NaN stays NaN, -0 stays -0) and keeps the
// constants from being folded into bf16 at compile time.
func.func @special(%zero: tensor<16xf32>) -> tensor<16xbf16> {
  %c = arith.constant dense<[0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x7F7FFFFF, 0x7F7F7FFF, 0xFF800000, 0x7FFFFFFF, 0xFFC00000, 0x00000001, 0x00018000, 0x80000000, 0x807FFFFF, 0x477FE000, 0x3EAAAAAB, 0xC0490FDB]> : tensor<16xf32>
  %x = arith.addf %c, %zero : tensor<16xf32>
  %y = arith.truncf %x : tensor<16xf32> to tensor<16xbf16>
  return %y : tensor<16xbf16>
}

func.func @sweep(%x: tensor<?xf32>) -> tensor<?xbf16> {
  %y = arith.truncf %x : tensor<?xf32> to tensor<?xbf16>
  return %y : tensor<?xbf16>
}
