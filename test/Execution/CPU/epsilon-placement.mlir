// epsilon_placement = #norm.epsilon<std>: 1 / (sqrt(var) + eps) instead of
// rsqrt(var + eps), on every CPU kernel that a LayerNorm or an RMSNorm can
// take, against the float64 reference (whose formula follows the attribute:
// with epsilon 0.25 and values in [-1, 1) the two placements differ by about
// 10 %, far over the tolerance). Rows in cache (LayerNorm f32 with its
// statistics, RMSNorm bf16), rows whose output leaves the L3 (pipelined,
// 1100x4112), rows of 256 KiB and more (Chan's blocks), a column kernel
// (axis 0) and its split columns (4096x8), the calling thread (8x1024), the
// reference pipeline (the decomposition to linalg), and constant rows
// (variance 0: the scale is 1 / eps, the output beta).
// RUN: norm-run %s --function=ln --input=7x1025xf32=random --input=1025xf32=random --input=1025xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --pipeline=reference --function=ln --input=7x1025xf32=random --input=1025xf32=random --input=1025xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln --input=1100x4112xf32=random --input=4112xf32=random --input=4112xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln --input=2x70000xf32=random --input=70000xf32=random --input=70000xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln --input=8x1024xf32=random --input=1024xf32=random --input=1024xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=ln --input=4x768xf32=0.5 --input=768xf32=random --input=768xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=rms --input=64x768xbf16=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --pipeline=reference --function=rms --input=64x768xbf16=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=rms --input=1100x8192xbf16=random --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=rms --input=4x768xbf16=0.0 --check | FileCheck %s --check-prefix=TWO
// RUN: norm-run %s --function=cols --input=4096x8xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=cols --input=7x100xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=cols --input=7x100xf32=random --check | FileCheck %s --check-prefix=ONE
// variance_estimator = #norm.variance<unbiased>: the variance (and the
// returned one) divides by n - 1, on the same kernels; rows of 2 (where
// the two estimators differ by 2x), with epsilon on the standard
// deviation too (the Annotated Transformer's formula), and a dynamic row
// of one element, NaN as torch.var gives (the check wants NaN where the
// reference has it).
// RUN: norm-run %s --function=unbiased --input=7x1025xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --pipeline=reference --function=unbiased --input=7x1025xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=unbiased --input=1100x4112xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=unbiased --input=2x70000xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=unbiased --input=64x2xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=unbiased --input=3x1xf32=random --check | FileCheck %s --check-prefix=THREE
// RUN: norm-run %s --function=unbiased_std --input=64x2xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=unbiased_std --input=300x768xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --pipeline=reference --function=unbiased_std --input=300x768xbf16=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=unbiased_cols --input=4096x8xf32=random --check | FileCheck %s --check-prefix=ONE
// RUN: norm-run %s --function=unbiased_cols --input=7x100xf32=random --check | FileCheck %s --check-prefix=ONE
// ONE: check result[0]: {{.*}}: ok
// TWO: check result[0]: {{.*}}: ok
// TWO: check result[1]: {{.*}}: ok
// THREE: check result[0]: {{.*}}: ok
// THREE: check result[1]: {{.*}}: ok
// THREE: check result[2]: {{.*}}: ok
func.func @ln(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<?xf32>) beta(%b : tensor<?xf32>) {axes = array<i64: 1>, epsilon = 0.25 : f64, epsilon_placement = #norm.epsilon<std>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %r : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @rms(%x: tensor<?x?xbf16>) -> (tensor<?x?xbf16>, tensor<?xf32>) {
  %y, %r = norm.rms_norm %x {axes = array<i64: 1>, epsilon = 0.25 : f64, epsilon_placement = #norm.epsilon<std>} : tensor<?x?xbf16> -> tensor<?x?xbf16>, tensor<?xf32>
  return %y, %r : tensor<?x?xbf16>, tensor<?xf32>
}
func.func @cols(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 0>, epsilon = 0.25 : f64, epsilon_placement = #norm.epsilon<std>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @unbiased(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %y, %m, %v = norm.layer_norm %x {axes = array<i64: 1>, variance_estimator = #norm.variance<unbiased>, stats = #norm.stats<mean_var>} : tensor<?x?xf32> -> tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
  return %y, %m, %v : tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>
}
func.func @unbiased_std(%x: tensor<?x?xbf16>) -> tensor<?x?xbf16> {
  %y = norm.layer_norm %x {axes = array<i64: 1>, epsilon = 1.0e-6 : f64, epsilon_placement = #norm.epsilon<std>, variance_estimator = #norm.variance<unbiased>} : tensor<?x?xbf16> -> tensor<?x?xbf16>
  return %y : tensor<?x?xbf16>
}
func.func @unbiased_cols(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = norm.layer_norm %x {axes = array<i64: 0>, variance_estimator = #norm.variance<unbiased>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
