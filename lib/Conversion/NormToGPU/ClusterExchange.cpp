//===- ClusterExchange.cpp - Block values shared across a cluster ---------===//
//
// The blocks of a thread-block cluster (rows over several SMs, sm_90) give
// each other their partial statistics by pushing them: each block writes
// its values into its slot in every block's shared memory with `st.async`,
// which completes bytes on the receiver's mbarrier, and each block waits
// on its own mbarrier until all of the cluster's values are there. No
// cluster barrier per reduction, and no block reads another's shared
// memory, so none waits for the others before it exits. The one cluster
// barrier left orders the mbarriers' initialization before the first
// push: it is split, arrived at when the kernel starts and waited on just
// before the first push (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "Emitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::gpu_plan;
using namespace mlir::norm::gpu_plan::detail;

Value Emitter::sharedAddress(Value buffer, Value element) {
  // Shared addresses fit in 32 bits (half the registers of 64-bit ones).
  int64_t bytes =
      cast<MemRefType>(buffer.getType()).getElementTypeBitWidth() / 8;
  Value address = arith::AddIOp::create(
      b, loc, memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer),
      arith::MulIOp::create(b, loc, element, index(bytes)));
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), address);
}

Value Emitter::inBlock(Value address, Value block) {
  return inlinePtx(
      b.getI32Type(), "mapa.shared::cluster.u32 $0, $1, $2;", "=r,r,r",
      ValueRange{address,
                 arith::IndexCastOp::create(b, loc, b.getI32Type(), block)});
}

void Emitter::initClusterExchange() {
  // One mbarrier per reduction round (each used once: a block takes one
  // slot), expecting one arrival: the block's own, with the byte count.
  auto space =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  exchangeBarriers = func.addWorkgroupAttribution(
      MemRefType::get({kMaxExchangeRounds}, b.getI64Type(), AffineMap(), space),
      loc);
  func.setWorkgroupAttributionAttr(func.getNumWorkgroupAttributions() - 1,
                                   LLVM::LLVMDialect::getAlignAttrName(),
                                   b.getI64IntegerAttr(8));
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, index(0));
  ifThen(first, [&] {
    for (int64_t r = 0; r < kMaxExchangeRounds; ++r)
      inlinePtx({}, "mbarrier.init.shared::cta.b64 [$0], 1;", "r,~{memory}",
                sharedAddress(exchangeBarriers, index(r)));
    inlinePtx({}, "fence.mbarrier_init.release.cluster;", "~{memory}", {});
  });
  inlinePtx({}, "barrier.cluster.arrive.relaxed.aligned;", "~{memory}", {});
}

Value Emitter::exchange(int64_t n,
                        function_ref<SmallVector<Value>()> blockValues) {
  assert(exchangeRound < kMaxExchangeRounds && "one mbarrier per round");
  if (exchangeRound == 0) // every block's mbarriers are initialized
    inlinePtx({}, "barrier.cluster.wait.aligned;", "~{memory}", {});
  Value barrier = sharedAddress(exchangeBarriers, index(exchangeRound++));
  // slots[r * n + k]: value k of block r.
  Value slots = sharedBuffer(plan.clusterSize * n);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, index(0));
  ifThen(first, [&] { // arms the block's mbarrier with the bytes to come
    Value bytes = arith::ConstantOp::create(
        b, loc,
        b.getI32IntegerAttr(static_cast<int32_t>(plan.clusterSize * n * 4)));
    inlinePtx({}, "mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], $1;",
              "r,r,~{memory}", ValueRange{barrier, bytes});
  });
  // Thread t < cluster size pushes the block's values into block t.
  Value pusher = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tid,
                                       index(plan.clusterSize));
  ifThen(pusher, [&] {
    SmallVector<Value> values = blockValues();
    Value remoteBarrier = inBlock(barrier, tid);
    for (int64_t k = 0; k < n; ++k) {
      Value element = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, rank, index(n)), index(k));
      Value remote = inBlock(sharedAddress(slots, element), tid);
      Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), values[k]);
      inlinePtx({},
                "st.async.shared::cluster.mbarrier::complete_tx::bytes.b32 "
                "[$0], $1, [$2];",
                "r,r,r,~{memory}", ValueRange{remote, bits, remoteBarrier});
    }
  });
  // Every thread waits until the cluster's values are there (phase 0); the
  // retry loop is inside the asm.
  inlinePtx({},
            "{ .reg .pred p; LAB_WAIT: "
            "mbarrier.try_wait.parity.shared::cta.b64 p, [$0], 0; "
            "@!p bra LAB_WAIT; }",
            "r,~{memory}", ValueRange{barrier});
  return slots;
}

SmallVector<Value> Emitter::clusterGather(ArrayRef<Value> blockValues) {
  // Lane r reads block r's values (lanes past the cluster keep 0).
  int64_t n = static_cast<int64_t>(blockValues.size());
  Value slots = exchange(n, [&] { return SmallVector<Value>(blockValues); });
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lane,
                                       index(plan.clusterSize));
  Value r = arith::SelectOp::create(b, loc, inside, lane, index(0));
  SmallVector<Value> result;
  for (int64_t k = 0; k < n; ++k) {
    Value at = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, r, index(n)), index(k));
    Value v = memref::LoadOp::create(b, loc, slots, ValueRange{at});
    result.push_back(arith::SelectOp::create(b, loc, inside, v, f32(0.0)));
  }
  return result;
}

Value Emitter::clusterSum(function_ref<Value()> blockTotal) {
  // The blocks' totals added in rank order, by every thread.
  Value slots = exchange(1, [&] { return SmallVector<Value>{blockTotal()}; });
  Value sum;
  for (int64_t r = 0; r < plan.clusterSize; ++r) {
    Value v = memref::LoadOp::create(b, loc, slots, ValueRange{index(r)});
    sum = sum ? arith::AddFOp::create(b, loc, sum, v).getResult() : v;
  }
  return sum;
}
