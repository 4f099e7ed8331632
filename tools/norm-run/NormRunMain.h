//===- NormRunMain.h - norm-run as a function -------------------*- C++ -*-===//

#ifndef NORM_TOOLS_NORMRUN_NORMRUNMAIN_H
#define NORM_TOOLS_NORMRUN_NORMRUNMAIN_H

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::norm {

/// norm-run's command line and body; returns the exit status. With
/// `parseErrors`, option errors go there and return 1 instead of exiting
/// (the fuzz target parses many command lines in one process).
int normRunMain(int argc, const char *const *argv,
                llvm::raw_ostream *parseErrors = nullptr);

} // namespace mlir::norm

#endif // NORM_TOOLS_NORMRUN_NORMRUNMAIN_H
