//===- CHeader.cpp - The C ABI of ahead-of-time compiled kernels ----------===//

#include "norm/AOT/CHeader.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error abiError(func::FuncOp func, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "function '" + func.getSymName() +
                                     "': " + message);
}

static std::optional<std::string> elementName(Type type) {
  if (type.isF32())
    return "f32";
  if (type.isF16())
    return "f16";
  if (type.isBF16())
    return "bf16";
  if (type.isSignlessInteger(8))
    return "i8";
  if (isa<Float8E4M3FNType>(type))
    return "f8E4M3FN";
  return std::nullopt;
}

/// C11/C23 and C++20 keywords: the header is included by C and C++.
// clang-format off
static constexpr llvm::StringLiteral kKeywords[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor",
    "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
    "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
    "concept", "const", "const_cast", "consteval", "constexpr", "constinit",
    "continue", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false",
    "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr",
    "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "restrict", "return", "short", "signed",
    "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
    "template", "this", "thread_local", "throw", "true", "try", "typedef",
    "typeid", "typename", "typeof", "typeof_unqual", "union", "unsigned",
    "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
    "xor_eq"};
// clang-format on

/// The names norm/runtime.h (and the header's own helpers) declare.
static constexpr llvm::StringLiteral kRuntimeNames[] = {
    "norm_status", "norm_status_string", "norm_get_num_threads",
    "norm_set_num_threads", "norm_overlap_"};

std::optional<std::string> norm::invalidCName(llvm::StringRef name) {
  auto isWord = [](char c) { return llvm::isAlnum(c) || c == '_'; };
  if (name.empty() || llvm::isDigit(name[0]) || !llvm::all_of(name, isWord))
    return std::string("is not a C identifier");
  if (llvm::is_contained(kKeywords, name))
    return std::string("is a C or C++ keyword");
  if (name == "main")
    return std::string("is a C program's entry point");
  if (name.starts_with("__") ||
      (name[0] == '_' && name.size() > 1 && llvm::isUpper(name[1])))
    return std::string("is reserved to the C implementation");
  if (name.starts_with("_mlir_"))
    return std::string("begins with _mlir_, the prefix of the kernels' "
                       "own symbols");
  if (llvm::is_contained(kRuntimeNames, name) ||
      name.starts_with("norm_memref_r") || name.starts_with("norm_cuda_") ||
      name.starts_with("NORM_"))
    return std::string("is a name of norm's runtime (norm/runtime.h) or "
                       "of the header's helpers");
  return std::nullopt;
}

llvm::Error norm::checkDerivedNames(ModuleOp module,
                                    llvm::ArrayRef<llvm::StringRef> suffixes) {
  std::set<std::string> names;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isExternal() && func.isPublic())
      names.insert(func.getSymName().str());
  for (const std::string &name : names)
    for (llvm::StringRef suffix : suffixes)
      if (names.count(name + suffix.str()))
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            "function '" + name + suffix +
                "' has the name of the symbol norm-compile makes for "
                "function '" +
                name + "' (its " + suffix + "): rename one of them");
  return llvm::Error::success();
}

llvm::Expected<CKernel> norm::describeKernel(func::FuncOp func) {
  CKernel kernel;
  kernel.name = func.getSymName().str();
  // The header declares a C function of the symbol's name.
  if (std::optional<std::string> why = invalidCName(kernel.name))
    return abiError(func, "the name " + *why +
                              " (the header declares a C function of the "
                              "function's name): rename the function");
  // Each value's dims as C expressions.
  llvm::DenseMap<Value, std::vector<std::string>> dims;
  std::set<std::string> names;
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    std::optional<std::string> elem =
        type ? elementName(type.getElementType()) : std::nullopt;
    if (!elem)
      return abiError(
          func,
          "argument #" + llvm::Twine(i) +
              " is not a ranked tensor of f32, f16, bf16, i8 or f8E4M3FN");
    CTensor t;
    t.name = "arg" + std::to_string(i);
    t.elementType = *elem;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (type.isDynamicDim(d)) {
        std::string size = t.name + "_d" + std::to_string(d);
        t.dims.push_back(size);
        t.sizeArgs.push_back(size);
      } else {
        t.dims.push_back(std::to_string(type.getDimSize(d)));
      }
    }
    dims[arg] = t.dims;
    kernel.inputs.push_back(t);
  }

  auto require = [&](const std::string &a, const std::string &b,
                     const std::string &why) {
    if (a != b)
      kernel.requirements.push_back({a + " == " + b, why});
  };
  // With one norm op, the results it may write in place of an argument.
  llvm::DenseMap<Value, Value> inPlace;
  int numOps = 0;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        // Each output buffer is written by the op that makes it.
        if (isa<BlockArgument>(v))
          return abiError(func, "result #" + llvm::Twine(i) +
                                    " is an argument; the C ABI needs every "
                                    "result computed by a norm op");
        if (llvm::is_contained(ret.getOperands().take_front(i), v))
          return abiError(func, "result #" + llvm::Twine(i) +
                                    " repeats an earlier result; the C ABI "
                                    "needs distinct results");
        auto type = cast<RankedTensorType>(v.getType());
        std::optional<std::string> elem = elementName(type.getElementType());
        if (!elem)
          return abiError(
              func, "result #" + llvm::Twine(i) +
                        " is not a tensor of f32, f16, bf16, i8 or f8E4M3FN");
        CTensor t;
        t.name = "result" + std::to_string(i);
        t.elementType = *elem;
        auto known = dims.find(v);
        if (known == dims.end() ||
            known->second.size() != static_cast<size_t>(type.getRank()))
          return abiError(func, "the shape of result #" + llvm::Twine(i) +
                                    " cannot be derived from the inputs");
        t.dims = known->second;
        if (Value over = numOps == 1 ? inPlace.lookup(v) : Value())
          if (auto arg = dyn_cast<BlockArgument>(over);
              arg && arg.getType() == v.getType())
            t.inPlaceOf = arg.getArgNumber();
        kernel.outputs.push_back(t);
      }
      return kernel;
    }
    auto norm = dyn_cast<NormalizationOpInterface>(op);
    if (!norm)
      return abiError(func, "'" + op.getName().getStringRef() +
                                "' is not a norm op; the C ABI covers "
                                "functions made of norm ops");
    NormDesc desc = norm.getDesc();
    ++numOps;
    // Each output element is written after the input elements it is
    // computed from are read, by the same thread (every strategy, CPU and
    // GPU): the output may be the input itself, and the new running
    // statistics the old ones.
    inPlace[norm.getOutput()] = norm.getInput();
    for (auto [result, old] : llvm::zip(
             norm.getRunningResults(),
             std::array<Value, 2>{norm.getMeanOperand(), norm.getVarOperand()}))
      inPlace[result] = old;
    CKernelOp described;
    described.name = op.getName().getStringRef().str();
    for (NamedAttribute attr : op.getAttrDictionary()) {
      if (attr.getName() == "operandSegmentSizes" ||
          attr.getName() == "resultSegmentSizes")
        continue;
      std::string value;
      llvm::raw_string_ostream os(value);
      attr.getValue().print(os);
      described.attributes.push_back({attr.getName().str(), value});
    }
    described.prologue = !norm.getPrologue().empty();
    described.epilogue = !norm.getEpilogue().empty();
    kernel.ops.push_back(std::move(described));
    std::vector<std::string> x = dims.lookup(norm.getInput());
    std::string opName = op.getName().getStringRef().str();
    auto extents = [&](const std::vector<int64_t> &axes) {
      std::vector<std::string> result;
      for (int64_t a : axes)
        result.push_back(x[a]);
      return result;
    };
    auto requireShape = [&](Value v, const std::vector<std::string> &want,
                            const std::string &what) {
      if (!v)
        return;
      std::vector<std::string> got = dims.lookup(v);
      for (auto [g, w] : llvm::zip(got, want))
        require(g, w, what + " of " + opName + " must match its input");
    };
    requireShape(norm.getScaleOperand(), extents(desc.paramAxes), "gamma");
    requireShape(norm.getShiftOperand(), extents(desc.paramAxes), "beta");
    std::vector<int64_t> channelAxes =
        desc.givenStats ? desc.statsAxes : desc.paramAxes;
    requireShape(norm.getMeanOperand(), extents(channelAxes), "the mean");
    requireShape(norm.getVarOperand(), extents(channelAxes), "the variance");
    auto requireFused = [&](OperandRange operands, ArrayRef<AffineMap> maps,
                            const std::string &what) {
      for (auto [operand, map] : llvm::zip(operands, maps)) {
        std::vector<std::string> want;
        for (unsigned r = 0; r < map.getNumResults(); ++r)
          want.push_back(x[map.getDimPosition(r)]);
        requireShape(operand, want, what);
      }
    };
    requireFused(norm.getPrologueInputs(), norm.getPrologueIndexing(),
                 "a prologue operand");
    requireFused(norm.getEpilogueInputs(), norm.getEpilogueIndexing(),
                 "an epilogue operand");
    if (Value kept = norm.getPrologueResult())
      dims[kept] = x;
    if (desc.groupAxis >= 0)
      kernel.requirements.push_back(
          {x[desc.groupAxis] + " % " + std::to_string(desc.numGroups) + " == 0",
           "num_groups of " + opName + " must divide the channels"});

    dims[norm.getOutput()] = x;
    std::vector<std::string> stats;
    for (int64_t a = 0; a < desc.rank; ++a) {
      if (a == desc.groupAxis)
        stats.push_back(std::to_string(desc.numGroups));
      else if (!desc.isReduced(a))
        stats.push_back(x[a]);
    }
    for (Value v : norm.getStatsResults())
      dims[v] = stats;
    for (Value v : norm.getRunningResults())
      dims[v] = extents(channelAxes);
  }
  return abiError(func, "has no return");
}

static std::string cType(const std::string &elem) {
  if (elem == "f32")
    return "float";
  if (elem == "i8")
    return "int8_t";
  return elem == "f8E4M3FN" ? "uint8_t" : "uint16_t";
}

static int byteSize(const std::string &elem) {
  if (elem == "f32")
    return 4;
  return elem == "i8" || elem == "f8E4M3FN" ? 1 : 2;
}

/// The row-major strides of `dims`, innermost last.
static std::vector<std::string> strides(const std::vector<std::string> &dims) {
  std::vector<std::string> result(dims.size());
  std::string stride = "1";
  for (size_t d = dims.size(); d-- > 0;) {
    result[d] = stride;
    stride = stride == "1" ? dims[d] : "(" + stride + ") * " + dims[d];
  }
  return result;
}

void norm::describeTensors(llvm::raw_ostream &os, const CKernel &k) {
  for (const CTensor &t : k.inputs)
    os << " *   in  " << t.name << ": " << t.elementType << "["
       << llvm::join(t.dims, "][") << "]\n";
  for (const CTensor &t : k.outputs)
    os << " *   out " << t.name << ": " << t.elementType << "["
       << llvm::join(t.dims, "][") << "]\n";
}

std::vector<std::string> norm::plainParameters(const CKernel &k) {
  std::vector<std::string> params;
  for (const CTensor &t : k.inputs) {
    params.push_back("const " + cType(t.elementType) + " *" + t.name);
    for (const std::string &s : t.sizeArgs)
      params.push_back("int64_t " + s);
  }
  for (const CTensor &t : k.outputs)
    params.push_back(cType(t.elementType) + " *" + t.name);
  return params;
}

void norm::checkPlainArguments(llvm::raw_ostream &os, const CKernel &k) {
  for (const CTensor &t : k.inputs) {
    os << "  if (!" << t.name << ") return NORM_INVALID_ARGUMENT;\n";
    for (const std::string &s : t.sizeArgs)
      os << "  if (" << s << " < 0) return NORM_INVALID_ARGUMENT;\n";
  }
  for (const CTensor &t : k.outputs)
    os << "  if (!" << t.name << ") return NORM_INVALID_ARGUMENT;\n";
  // Elements must be aligned to their size (a GPU cannot load them
  // otherwise, and C does not allow it).
  for (const std::vector<CTensor> *list : {&k.inputs, &k.outputs})
    for (const CTensor &t : *list)
      if (int bytes = byteSize(t.elementType); bytes > 1)
        os << "  if ((uintptr_t)" << t.name << " % " << bytes
           << ") return NORM_INVALID_ARGUMENT; /* misaligned */\n";
  for (const auto &[condition, why] : k.requirements)
    os << "  /* " << why << " */\n  if (!(" << condition
       << ")) return NORM_INVALID_ARGUMENT;\n";
}

void norm::emitOverlapHelper(llvm::raw_ostream &os) {
  os << "#ifndef NORM_OVERLAP_HELPER\n#define NORM_OVERLAP_HELPER\n"
     << "/* Whether [a, a + na) and [b, b + nb) share a byte. */\n"
     << "static inline int norm_overlap_(const void *a, int64_t na, "
        "const void *b,\n                                int64_t nb) {\n"
     << "  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;\n"
     << "  return na > 0 && nb > 0 && x < y + (uintptr_t)nb && "
        "y < x + (uintptr_t)na;\n}\n#endif\n\n";
}

void norm::checkPlainOverlaps(llvm::raw_ostream &os, const CKernel &k) {
  // Byte counts (valid sizes: they fit in int64_t), then each output
  // against every other buffer.
  std::vector<const CTensor *> all;
  for (const std::vector<CTensor> *list : {&k.inputs, &k.outputs})
    for (const CTensor &t : *list)
      all.push_back(&t);
  os << "  /* Outputs share no byte with another buffer, except an output "
        "that is\n   * exactly the input it may overwrite (in place). */\n";
  for (const CTensor *t : all) {
    os << "  int64_t " << t->name << "_bytes = " << byteSize(t->elementType)
       << ";\n";
    for (const std::string &d : t->dims)
      os << "  if (" << d << " != 0 && " << t->name << "_bytes > INT64_MAX / ("
         << d << ")) return NORM_INVALID_ARGUMENT;\n  " << t->name
         << "_bytes *= " << d << ";\n";
  }
  for (size_t i = 0; i < k.outputs.size(); ++i) {
    const CTensor &out = k.outputs[i];
    auto overlap = [&](const CTensor &other) {
      return "norm_overlap_(" + out.name + ", " + out.name + "_bytes, " +
             other.name + ", " + other.name + "_bytes)";
    };
    for (auto [j, in] : llvm::enumerate(k.inputs)) {
      std::string test = overlap(in);
      if (out.inPlaceOf == static_cast<int>(j))
        test = "(const void *)" + out.name + " != (const void *)" + in.name +
               " && " + test;
      os << "  if (" << test << ") return NORM_INVALID_ARGUMENT;\n";
    }
    for (const CTensor &other : llvm::ArrayRef(k.outputs).drop_front(i + 1))
      os << "  if (" << overlap(other) << ") return NORM_INVALID_ARGUMENT;\n";
  }
}

std::string norm::emitCHeader(llvm::ArrayRef<CKernel> kernels,
                              llvm::StringRef guard) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by norm-compile: the C ABI of the kernels in the object "
        "file.\n"
        " * See docs/aot.md. f16 and bf16 elements are passed as their 16-bit "
        "patterns.\n"
        " * Link with the object file and LLVM's OpenMP runtime (-lomp). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#include \"norm/runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  std::set<size_t> ranks;
  for (const CKernel &k : kernels) {
    for (const CTensor &t : k.inputs)
      ranks.insert(t.dims.size());
    for (const CTensor &t : k.outputs)
      ranks.insert(t.dims.size());
  }
  emitOverlapHelper(os);
  os << "/* MLIR's memref descriptors, by rank. */\n";
  for (size_t r : ranks) {
    os << "#ifndef NORM_MEMREF_R" << r << "\n#define NORM_MEMREF_R" << r
       << "\ntypedef struct {\n  void *allocated;\n  void *aligned;\n"
       << "  int64_t offset;\n";
    if (r > 0)
      os << "  int64_t sizes[" << r << "];\n  int64_t strides[" << r << "];\n";
    os << "} norm_memref_r" << r << ";\n#endif\n";
  }
  os << "\n";

  // One kernel; `rows`: its row-range entry point (--tile-entry), which
  // takes the first and one past the last row after the inputs.
  auto emitKernel = [&](const CKernel &k, bool rows) {
    std::string name = k.name + (rows ? "_rows" : "");
    // The descriptor form, as compiled.
    os << "/* " << name << ": descriptor form. Inputs, then the outputs the "
       << "caller allocates. */\nvoid _mlir_ciface_" << name << "(";
    std::vector<std::string> params;
    for (const CTensor &t : k.inputs)
      params.push_back("norm_memref_r" + std::to_string(t.dims.size()) + " *" +
                       t.name);
    if (rows)
      params.insert(params.end(), {"int64_t row_begin", "int64_t row_end"});
    for (const CTensor &t : k.outputs)
      params.push_back("norm_memref_r" + std::to_string(t.dims.size()) + " *" +
                       t.name);
    os << llvm::join(params, ", ") << ");\n\n";

    // The plain form: pointers and the inputs' dynamic sizes.
    os << "/* " << name << ": plain form. Dense row-major buffers.\n";
    if (rows)
      os << " * Normalizes rows [row_begin, row_end) of the " << k.tileRows
         << " rows only.\n";
    describeTensors(os, k);
    os << " * Returns NORM_INVALID_ARGUMENT, calling nothing, on a null "
          "pointer, a negative\n * size or sizes that do not fit together. "
          "*/\n";
    params = plainParameters(k);
    if (rows)
      params.insert(params.end(), {"int64_t row_begin", "int64_t row_end"});
    os << "static inline norm_status " << name << "("
       << llvm::join(params, ", ") << ") {\n";
    checkPlainArguments(os, k);
    // Byte counts that fit in int64_t (else the descriptors' strides and
    // the kernel's offsets would overflow), and outputs apart.
    checkPlainOverlaps(os, k);
    if (rows)
      os << "  if (row_begin < 0 || row_end < row_begin || row_end > ("
         << k.tileRows << ")) return NORM_INVALID_ARGUMENT;\n";
    auto descriptor = [&](const CTensor &t) {
      std::vector<std::string> st = strides(t.dims);
      os << "  norm_memref_r" << t.dims.size() << " " << t.name
         << "_m = {(void *)(uintptr_t)" << t.name << ", (void *)(uintptr_t)"
         << t.name << ", 0";
      if (!t.dims.empty())
        os << ", {" << llvm::join(t.dims, ", ") << "}, {"
           << llvm::join(st, ", ") << "}";
      os << "};\n";
    };
    for (const CTensor &t : k.inputs)
      descriptor(t);
    for (const CTensor &t : k.outputs)
      descriptor(t);
    params.clear();
    for (const CTensor &t : k.inputs)
      params.push_back("&" + t.name + "_m");
    if (rows)
      params.insert(params.end(), {"row_begin", "row_end"});
    for (const CTensor &t : k.outputs)
      params.push_back("&" + t.name + "_m");
    os << "  _mlir_ciface_" << name << "(" << llvm::join(params, ", ")
       << ");\n  return NORM_OK;\n}\n\n";
  };
  for (const CKernel &k : kernels) {
    emitKernel(k, false);
    if (!k.tileRows.empty())
      emitKernel(k, true);
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}
