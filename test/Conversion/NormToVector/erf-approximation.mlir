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
