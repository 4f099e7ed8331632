//===- Replay.cpp - Run every fuzz target over its regression corpus ------===//
//
// norm-fuzz-replay DIR: runs each target over the files in DIR/<target>/
// (every input that ever crashed a target, and the seeds). make check runs
// it; a crash fails the test.
//
//===----------------------------------------------------------------------===//

#include "FuzzTargets.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: norm-fuzz-replay CORPUS_DIR\n";
    return 2;
  }
  struct Target {
    const char *name;
    void (*fn)(const uint8_t *, size_t);
  };
  const Target targets[] = {{"npy", mlir::norm::fuzz::npyReader},
                            {"input-spec", mlir::norm::fuzz::inputSpec},
                            {"norm-opt", mlir::norm::fuzz::normOpt},
                            {"norm-run", mlir::norm::fuzz::normRunArgs}};
  llvm::SmallString<256> corpus(argv[1]);
  int files = 0;
  for (const Target &t : targets) {
    llvm::SmallString<256> dir(corpus);
    llvm::sys::path::append(dir, t.name);
    std::error_code ec;
    std::vector<std::string> paths;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      paths.push_back(it->path());
    if (ec) {
      llvm::errs() << "norm-fuzz-replay: cannot read '" << dir
                   << "': " << ec.message() << "\n";
      return 1;
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string &path : paths) {
      auto buffer =
          llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
      if (!buffer) {
        llvm::errs() << "norm-fuzz-replay: cannot read '" << path << "'\n";
        return 1;
      }
      t.fn(reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
           (*buffer)->getBufferSize());
      ++files;
    }
  }
  llvm::outs() << "replayed " << files << " inputs\n";
  return 0;
}
