//===- AxisRoles.cpp - What each work axis is to a norm op ----------------===//

#include "norm/Dialect/Norm/IR/AxisRoles.h"

using namespace mlir;
using namespace mlir::norm;

FailureOr<SmallVector<AxisRole>>
norm::workAxisRoles(NormalizationOpInterface op) {
  return workAxisRoles(op, op.getDesc());
}

FailureOr<SmallVector<AxisRole>>
norm::workAxisRoles(NormalizationOpInterface op, const NormDesc &desc) {
  SmallVector<AffineMap> maps = op.getPrologueIndexing();
  llvm::append_range(maps, op.getEpilogueIndexing());
  if (maps.size() > 64)
    return failure();
  SmallVector<std::vector<int64_t>> fusedWork;
  for (AffineMap map : maps) {
    std::vector<int64_t> axes;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      axes.push_back(map.getDimPosition(r));
    fusedWork.push_back(desc.toWork(axes));
  }
  std::vector<int64_t> reduced = desc.reducedWorkAxes();
  std::vector<int64_t> param = desc.toWork(desc.paramAxes);
  std::vector<int64_t> given = desc.toWork(desc.statsAxes);
  SmallVector<AxisRole> roles;
  for (int64_t a = 0; a < desc.workRank(); ++a) {
    AxisRole role;
    role.reduced = llvm::is_contained(reduced, a);
    role.param = llvm::is_contained(param, a);
    role.given = llvm::is_contained(given, a);
    for (auto [k, work] : llvm::enumerate(fusedWork))
      if (llvm::is_contained(work, a))
        role.fused |= uint64_t{1} << k;
    roles.push_back(role);
  }
  return roles;
}
