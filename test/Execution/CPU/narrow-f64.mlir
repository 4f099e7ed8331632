// f64 values rounded to 16- and 8-bit results (a kernel with compute_type =
// f64) are correctly rounded, with no library call (__truncdfbf2 is in
// neither the JIT nor Debian 12's libgcc): each value below sits just
// beside a tie of the narrow type, where rounding to f32 first (to
// nearest) would land on the tie and round it to even, the wrong way.
// RUN: norm-run %s | FileCheck %s
// RUN: norm-run %s --pipeline=reference | FileCheck %s
// RUN: norm-run %s --target-cpu=x86-64-v3 | FileCheck %s
// RUN: norm-opt %s --norm-narrow-f64 | FileCheck %s --check-prefix=IR

// 1 + 2^-8 + 2^-36 -> 1 + 2^-7 (not 1); 1 + 3 * 2^-8 - 2^-36 -> 1 + 2^-7
// (not 1 + 2^-6); the same negated; an exact value and infinity.
// CHECK: result[0]: tensor<6xbf16> [1.00781, 1.00781, -1.00781, -1.00781, 1.5, inf]
// Tiny values (signed zeros), NaN, the largest finite bf16 from above and,
// from just below the tie with 2^128, from below (not infinity); the
// largest f64 (infinity).
// CHECK: result[1]: tensor<6xbf16> [0, -0, nan, 3.38953e+38, -3.38953e+38, inf]
// 1 + 2^-11 + 2^-36 -> 1 + 2^-10 in f16; just below 65520 -> 65504 (not
// infinity).
// CHECK: result[2]: tensor<3xf16> [1.00098, -1.00098, 65504]
// 1 + 2^-4 + 2^-36 -> 1.125 in f8E4M3FN (not 1).
// CHECK: result[3]: tensor<2xf8E4M3FN> [1.125, -1.125]

// IR-LABEL: func.func @narrow
// IR-NOT: truncf {{.*}} f64 to bf16
// IR: arith.truncf %{{.*}} : tensor<6xf64> to tensor<6xf32>
// IR: arith.cmpf one
// IR: arith.truncf %{{.*}} : tensor<6xf32> to tensor<6xbf16>
func.func @narrow() -> (tensor<6xbf16>, tensor<6xbf16>, tensor<3xf16>,
                        tensor<2xf8E4M3FN>) {
  %a = arith.constant dense<[0x3FF0100000010000, 0x3FF02FFFFFFF0000,
      0xBFF0100000010000, 0xBFF02FFFFFFF0000, 1.5, 0x7FF0000000000000]>
      : tensor<6xf64>
  %b = arith.constant dense<[1.0e-300, -1.0e-300, 0x7FF8000000000000,
      0x47EFDFFFFFFFFFFF, 0xC7EFEFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF]>
      : tensor<6xf64>
  %c = arith.constant dense<[0x3FF0020000010000, 0xBFF0020000010000,
      0x40EFFDFFFFFFFFFF]> : tensor<3xf64>
  %d = arith.constant dense<[0x3FF1000000010000, 0xBFF1000000010000]>
      : tensor<2xf64>
  %ra = arith.truncf %a : tensor<6xf64> to tensor<6xbf16>
  %rb = arith.truncf %b : tensor<6xf64> to tensor<6xbf16>
  %rc = arith.truncf %c : tensor<3xf64> to tensor<3xf16>
  %rd = arith.truncf %d : tensor<2xf64> to tensor<2xf8E4M3FN>
  return %ra, %rb, %rc, %rd : tensor<6xbf16>, tensor<6xbf16>, tensor<3xf16>,
      tensor<2xf8E4M3FN>
}
