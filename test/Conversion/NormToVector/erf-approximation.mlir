// RUN: norm-opt %s --norm-convert-to-vector | FileCheck %s
// math.erf on f32 (scalars and vectors; f16 after upstream extends it to
// f32) becomes x * P(x^2) / Q(x^2) with x clamped to [-4, 4] and the result
// to [-1, 1], the multiply-adds marked contractible.

// CHECK-LABEL: func.func @vector(
// CHECK-NOT: math.erf
// CHECK-DAG: %[[FOUR:.*]] = arith.constant dense<4.000000e+00> : vector<16xf32>
// CHECK-DAG: %[[NFOUR:.*]] = arith.constant dense<-4.000000e+00> : vector<16xf32>
// CHECK-DAG: arith.constant dense<1.12837899> : vector<16xf32>
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %arg0, %[[FOUR]]
// CHECK: %[[HI:.*]] = arith.select %[[ABOVE]], %[[FOUR]], %arg0
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[HI]], %[[NFOUR]]
// CHECK: %[[X:.*]] = arith.select %[[BELOW]], %[[NFOUR]], %[[HI]]
// CHECK: %[[T:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK-COUNT-10: arith.addf {{.*}} fastmath<contract>
// CHECK: %[[XP:.*]] = arith.mulf %[[X]],
// CHECK: %[[Y:.*]] = arith.divf %[[XP]],
// CHECK: arith.cmpf ogt, %[[Y]]
// CHECK: arith.cmpf olt
// CHECK-NOT: math.erf
// CHECK: return
func.func @vector(%x: vector<16xf32>) -> vector<16xf32> {
  %y = math.erf %x : vector<16xf32>
  return %y : vector<16xf32>
}

// CHECK-LABEL: func.func @scalar(
// CHECK-NOT: math.erf
// CHECK-DAG: arith.constant 1.12837899 : f32
// CHECK: arith.divf
// CHECK: return
func.func @scalar(%x: f32) -> f32 {
  %y = math.erf %x : f32
  return %y : f32
}

// CHECK-LABEL: func.func @half(
// CHECK-DAG: arith.extf %arg0 : vector<8xf16> to vector<8xf32>
// CHECK-DAG: arith.constant dense<1.12837899> : vector<8xf32>
// CHECK: arith.divf
// CHECK: arith.truncf {{.*}} : vector<8xf32> to vector<8xf16>
func.func @half(%x: vector<8xf16>) -> vector<8xf16> {
  %y = math.erf %x : vector<8xf16>
  return %y : vector<8xf16>
}

// GELU written with erf becomes s * phi(s), phi = (0.5 Q'(u) + c P'(u)) /
// Q'(u) with c = s clamped to [-4 sqrt(2), 4 sqrt(2)] and u = c^2, and phi
// = 0 below the clamp: no math.erf, no 1 + erf, one division. torch-mlir's
// order: erf(s / sqrt(2)), (1 + erf) * 0.5, then times s.
// CHECK-LABEL: func.func @gelu_torch(
// CHECK-NOT: math.erf
// CHECK-DAG: %[[LIMIT:.*]] = arith.constant dense<-5.65685415> : vector<16xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %arg0, %[[LIMIT]]
// CHECK: arith.cmpf ogt, %arg0
// CHECK: arith.cmpf olt, %{{.*}}, %[[LIMIT]]
// CHECK-NEXT: %[[C:.*]] = arith.select
// CHECK: %[[U:.*]] = arith.mulf %[[C]], %[[C]]
// CHECK-COUNT-10: arith.addf {{.*}} fastmath<contract>
// CHECK: %[[SP:.*]] = arith.mulf %[[C]], %{{.*}} fastmath<contract>
// CHECK: %[[HQ:.*]] = arith.mulf %[[Q:.*]], %{{.*}} fastmath<contract>
// CHECK: %[[NUM:.*]] = arith.addf %[[HQ]], %[[SP]] fastmath<contract>
// CHECK: %[[PHI:.*]] = arith.divf %[[NUM]], %[[Q]]
// CHECK: %[[P0:.*]] = arith.select %[[BELOW]], %[[ZERO]], %[[PHI]]
// CHECK: %[[Y:.*]] = arith.mulf %arg0, %[[P0]]
// CHECK-NOT: arith.divf
// CHECK: return %[[Y]]
func.func @gelu_torch(%s: vector<16xf32>) -> vector<16xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : vector<16xf32>
  %one = arith.constant dense<1.0> : vector<16xf32>
  %half = arith.constant dense<0.5> : vector<16xf32>
  %0 = arith.divf %s, %sqrt2 : vector<16xf32>
  %1 = math.erf %0 : vector<16xf32>
  %2 = arith.addf %1, %one : vector<16xf32>
  %3 = arith.mulf %2, %half : vector<16xf32>
  %4 = arith.mulf %s, %3 : vector<16xf32>
  return %4 : vector<16xf32>
}

// The other orders: (s * 0.5) * (1 + erf(s * (1/sqrt(2)))) and
// (s * (1 + erf)) * 0.5, scalars.
// CHECK-LABEL: func.func @gelu_half_first(
// CHECK-NOT: math.erf
// CHECK: arith.divf
// CHECK-NOT: arith.divf
// CHECK: %[[Y:.*]] = arith.mulf %arg0, %{{.*}} : f32
// CHECK: return %[[Y]]
func.func @gelu_half_first(%s: f32) -> f32 {
  %k = arith.constant 0.707106769 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %0 = arith.mulf %s, %k : f32
  %1 = math.erf %0 : f32
  %2 = arith.addf %one, %1 : f32
  %3 = arith.mulf %half, %s : f32
  %4 = arith.mulf %3, %2 : f32
  return %4 : f32
}
// CHECK-LABEL: func.func @gelu_half_last(
// CHECK-NOT: math.erf
// CHECK: arith.divf
// CHECK-NOT: arith.divf
// CHECK: %[[Y:.*]] = arith.mulf %arg0, %{{.*}} : f32
// CHECK: return %[[Y]]
func.func @gelu_half_last(%s: f32) -> f32 {
  %k = arith.constant 0.707106769 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %0 = arith.mulf %k, %s : f32
  %1 = math.erf %0 : f32
  %2 = arith.addf %1, %one : f32
  %3 = arith.mulf %2, %s : f32
  %4 = arith.mulf %3, %half : f32
  return %4 : f32
}

// Not GELU: another scale inside the erf, and 1 + erf used twice. Each
// keeps its chain, the erf alone rewritten (its result clamped to [-1, 1]).
// CHECK-LABEL: func.func @not_gelu_scale(
// CHECK-NOT: math.erf
// CHECK: arith.divf
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: arith.addf %{{.*}}, %cst
// CHECK: return
func.func @not_gelu_scale(%s: f32) -> f32 {
  %k = arith.constant 0.8 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %0 = arith.mulf %s, %k : f32
  %1 = math.erf %0 : f32
  %2 = arith.addf %1, %one : f32
  %3 = arith.mulf %s, %half : f32
  %4 = arith.mulf %3, %2 : f32
  return %4 : f32
}
// CHECK-LABEL: func.func @not_gelu_reused(
// CHECK-NOT: math.erf
// CHECK: arith.divf
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf olt
// CHECK: %[[T:.*]] = arith.addf
// CHECK: arith.mulf %{{.*}}, %[[T]]
// CHECK: return
func.func @not_gelu_reused(%s: f32) -> (f32, f32) {
  %k = arith.constant 0.707106769 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %0 = arith.mulf %s, %k : f32
  %1 = math.erf %0 : f32
  %2 = arith.addf %1, %one : f32
  %3 = arith.mulf %s, %half : f32
  %4 = arith.mulf %3, %2 : f32
  return %4, %2 : f32, f32
}
