// 16-bit arithmetic in a fused body is computed in f32 and rounded once
// where the body yields or converts it, as on the CPU and in the float64
// reference (docs/fusion.md): a bf16 chain (add, then multiply) has no bf16
// arithmetic left, while a single bf16 operation, for which one rounding
// either way is the same, stays one native instruction (LLVM narrows it
// back).
// REQUIRES: cuda
// RUN: norm-opt %s --norm-lower-to-gpu="chip=sm_90 format=ptx" -o %t.mlir
// RUN: %python %S/Inputs/ptxas.py %t.mlir --dump %t.ptx | FileCheck %s --check-prefix=PTXAS
// RUN: FileCheck %s < %t.ptx
// PTXAS: 2 PTX objects, 4 kernels assembled, 0 spilling, 0 failures

// CHECK-LABEL: .entry chain_0_vector(
// CHECK-NOT: {{(add|mul|fma)(\.rn)?\.bf16}}
// CHECK: .entry chain_0_scalar(
// CHECK-NOT: {{(add|mul|fma)(\.rn)?\.bf16}}
// CHECK: .entry single_0_vector(
// CHECK: add.rn.bf16
func.func @chain(%x: tensor<64x256xbf16>, %a: tensor<64x256xbf16>, %b: tensor<256xbf16>) -> tensor<64x256xbf16> {
  %y = norm.rms_norm %x prologue(%a, %b : tensor<64x256xbf16>, tensor<256xbf16>) {
  ^bb0(%u: bf16, %v: bf16, %w: bf16):
    %s = arith.addf %u, %v : bf16
    %t = arith.mulf %s, %w : bf16
    norm.yield %t : bf16
  } {axes = array<i64: 1>, prologue_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>]} : tensor<64x256xbf16> -> tensor<64x256xbf16>
  return %y : tensor<64x256xbf16>
}

func.func @single(%x: tensor<64x256xbf16>, %a: tensor<64x256xbf16>) -> tensor<64x256xbf16> {
  %y = norm.rms_norm %x prologue(%a : tensor<64x256xbf16>) {
  ^bb0(%u: bf16, %v: bf16):
    %s = arith.addf %u, %v : bf16
    norm.yield %s : bf16
  } {axes = array<i64: 1>} : tensor<64x256xbf16> -> tensor<64x256xbf16>
  return %y : tensor<64x256xbf16>
}
