// The PTX of each strategy, assembled by the CUDA toolkit's ptxas for sm_80
// and sm_90: 16-byte global accesses for aligned rows, butterfly shuffles,
// no local memory and no spills, no unresolved libdevice call.
// REQUIRES: cuda
// RUN: norm-opt %s --norm-lower-to-gpu="chip=sm_80,sm_90 format=ptx" -o %t.mlir
// RUN: %python %S/Inputs/ptxas.py %t.mlir --dump %t.ptx | FileCheck %s --check-prefix=PTXAS
// RUN: FileCheck %s < %t.ptx
// RUN: norm-opt %s --norm-lower-to-gpu="chip=sm_90 format=ptx" -o %t.sm90.mlir
// RUN: %python %S/Inputs/ptxas.py %t.sm90.mlir --dump %t.sm90.ptx | FileCheck %s --check-prefix=SM90
// RUN: FileCheck %s --check-prefix=CLUSTER < %t.sm90.ptx

// PTXAS-DAG: sm_80 prenorm_0_vector stack=0 spill_stores=0 spill_loads=0
// PTXAS-DAG: sm_90 prenorm_0_vector stack=0 spill_stores=0 spill_loads=0
// PTXAS-DAG: sm_80 long_0_vector stack=0 spill_stores=0 spill_loads=0
// PTXAS-DAG: sm_90 long_0_vector stack=0 spill_stores=0 spill_loads=0
// PTXAS: 4 PTX objects, 8 kernels assembled, 0 spilling, 0 failures
// SM90: 2 PTX objects, 4 kernels assembled, 0 spilling, 0 failures

// CHECK: .target sm_80
// CHECK: .entry prenorm_0_vector(
// CHECK-NOT: .local
// CHECK: ld.global.v4.b32
// CHECK: shfl.sync.bfly.b32
// CHECK: st.global.v4.b32
// CHECK-NOT: .extern .func
// CHECK: .target sm_90

// The 131072-element row: eight blocks of a cluster on sm_90. Thread 0
// initializes the block's mbarriers, the cluster barrier that orders that
// before any push is arrived at early and waited on late; then each block
// pushes its total into every block's shared memory (st.async completing
// bytes on the receiver's mbarrier) and waits on its own mbarrier: no
// other cluster barrier, no read of another block's shared memory.
// CLUSTER: .entry long_0_vector(
// CLUSTER: .reqnctapercluster 8, 1, 1
// CLUSTER: mbarrier.init.shared::cta.b64
// CLUSTER: fence.mbarrier_init.release.cluster;
// CLUSTER: barrier.cluster.arrive.relaxed.aligned;
// CLUSTER: ld.global.v4.b32
// CLUSTER: barrier.cluster.wait.aligned;
// CLUSTER: mbarrier.arrive.expect_tx.shared::cta.b64
// CLUSTER: mapa.shared::cluster.u32
// CLUSTER: st.async.shared::cluster.mbarrier::complete_tx::bytes.b32
// CLUSTER: mbarrier.try_wait.parity.shared::cta.b64
// CLUSTER-NOT: barrier.cluster
// CLUSTER-NOT: ld.shared::cluster
// CLUSTER: st.global.v4.b32

func.func @prenorm(%x: tensor<64x4096xbf16>, %r: tensor<64x4096xbf16>, %g: tensor<4096xf32>, %bias: tensor<4096xf32>) -> (tensor<64x4096xbf16>, tensor<64x4096xf32>) {
  %y, %h = norm.layer_norm %x gamma(%g : tensor<4096xf32>)
      prologue(%r : tensor<64x4096xbf16>) -> tensor<64x4096xf32> {
      ^bb0(%a: bf16, %b: bf16):
        %ae = arith.extf %a : bf16 to f32
        %be = arith.extf %b : bf16 to f32
        %s = arith.addf %ae, %be : f32
        norm.yield %s : f32
      }
      epilogue(%bias : tensor<4096xf32>) {
      ^bb0(%v: f32, %c: f32):
        %s = arith.addf %v, %c : f32
        %e = math.erf %s : f32
        %t = arith.truncf %e : f32 to bf16
        norm.yield %t : bf16
      }
      {axes = array<i64: 1>, epilogue_maps = [affine_map<(d0, d1) -> (d1)>]}
      : tensor<64x4096xbf16> -> tensor<64x4096xbf16>
  return %y, %h : tensor<64x4096xbf16>, tensor<64x4096xf32>
}

func.func @long(%x: tensor<4x131072xf32>, %g: tensor<131072xf32>) -> tensor<4x131072xf32> {
  %y = norm.rms_norm %x gamma(%g : tensor<131072xf32>) {axes = array<i64: 1>} : tensor<4x131072xf32> -> tensor<4x131072xf32>
  return %y : tensor<4x131072xf32>
}
