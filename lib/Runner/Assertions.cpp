//===- Assertions.cpp - cf.assert in JIT-compiled functions ---------------===//

#include "Assertions.h"
#include "ConcreteShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>

using namespace mlir;

namespace {
/// What each trapped assertion reports, by id, for the process's lifetime.
struct Messages {
  std::mutex mutex;
  std::deque<std::string> texts;
};
Messages &messages() {
  static Messages *m = new Messages();
  return *m;
}
} // namespace

static int64_t remember(cf::AssertOp op) {
  std::string text = norm::describeOp(op) + ": the program's assertion \"" +
                     op.getMsg().str() + "\" failed during the call";
  Messages &m = messages();
  std::lock_guard<std::mutex> lock(m.mutex);
  m.texts.push_back(text);
  return static_cast<int64_t>(m.texts.size()) - 1;
}

static void report(int64_t id) {
  std::string text;
  {
    Messages &m = messages();
    std::lock_guard<std::mutex> lock(m.mutex);
    if (id >= 0 && id < static_cast<int64_t>(m.texts.size()))
      text = m.texts[id];
  }
  std::fflush(stdout);
  std::fprintf(stderr, "norm-run: error: %s\n", text.c_str());
  std::fflush(stderr);
  // Not exit(): the JIT-compiled frames below cannot unwind, and the
  // program's buffers are the process's to drop.
  std::_Exit(1);
}

void *norm::assertionReporter() { return reinterpret_cast<void *>(&report); }

void norm::trapAssertions(ModuleOp module) {
  SmallVector<cf::AssertOp> asserts;
  module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
  if (asserts.empty())
    return;
  MLIRContext *context = module.getContext();
  context
      ->loadDialect<arith::ArithDialect, func::FuncDialect, scf::SCFDialect>();
  OpBuilder b(context);
  b.setInsertionPointToEnd(module.getBody());
  auto reporter = func::FuncOp::create(b, module.getLoc(), kAssertionReporter,
                                       b.getFunctionType({b.getI64Type()}, {}));
  reporter.setPrivate();
  for (cf::AssertOp op : asserts) {
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value yes = arith::ConstantIntOp::create(b, loc, 1, 1);
    Value failed = arith::XOrIOp::create(b, loc, op.getArg(), yes);
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{}, failed,
                                  /*withElseRegion=*/false);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value id = arith::ConstantIntOp::create(b, loc, remember(op), 64);
    func::CallOp::create(b, loc, reporter, ValueRange{id});
    op.erase();
  }
}
