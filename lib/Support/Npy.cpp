//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "norm/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error npyError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "invalid .npy data: " + message);
}

/// Returns the text after `'key':` in the header dictionary.
static std::optional<llvm::StringRef> findKey(llvm::StringRef header,
                                              llvm::StringRef key) {
  for (char quote : {'\'', '"'}) {
    std::string pattern = std::string(1, quote) + key.str() + quote;
    size_t pos = header.find(pattern);
    if (pos == llvm::StringRef::npos)
      continue;
    llvm::StringRef rest = header.drop_front(pos + pattern.size()).ltrim();
    if (!rest.consume_front(":"))
      return std::nullopt;
    return rest.ltrim();
  }
  return std::nullopt;
}

llvm::Expected<HostTensor> norm::parseNpy(llvm::StringRef buffer) {
  static const char magic[] = "\x93NUMPY";
  if (!buffer.starts_with(llvm::StringRef(magic, 6)))
    return npyError("missing the \\x93NUMPY magic string");
  if (buffer.size() < 10)
    return npyError("truncated header");
  unsigned major = static_cast<uint8_t>(buffer[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen =
        static_cast<uint8_t>(buffer[8]) | static_cast<uint8_t>(buffer[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (buffer.size() < 12)
      return npyError("truncated header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = headerLen << 8 | static_cast<uint8_t>(buffer[8 + i]);
    headerStart = 12;
  } else {
    return npyError("unsupported format version " + llvm::Twine(major));
  }
  if (buffer.size() < headerStart + headerLen)
    return npyError("truncated header");
  llvm::StringRef header = buffer.substr(headerStart, headerLen);

  std::optional<llvm::StringRef> descr = findKey(header, "descr");
  std::optional<llvm::StringRef> order = findKey(header, "fortran_order");
  std::optional<llvm::StringRef> shapeText = findKey(header, "shape");
  if (!descr || !order || !shapeText)
    return npyError("header lacks 'descr', 'fortran_order' or 'shape'");

  if (descr->size() < 2 || ((*descr)[0] != '\'' && (*descr)[0] != '"'))
    return npyError("'descr' is not a string");
  llvm::StringRef dtype =
      descr->drop_front().take_until([&](char c) { return c == (*descr)[0]; });
  DType type;
  if (dtype == "<f8")
    type = DType::F64;
  else if (dtype == "<f4")
    type = DType::F32;
  else if (dtype == "<f2")
    type = DType::F16;
  else if (dtype == "<u2")
    type = DType::BF16;
  else if (dtype == "|i1" || dtype == "<i1")
    type = DType::I8;
  else
    return npyError("unsupported dtype '" + dtype +
                    "' (expected little-endian <f8, <f4, <f2, <u2 for "
                    "bf16 bits, or |i1)");

  if (order->starts_with("True"))
    return npyError("Fortran-order arrays are not supported; save a "
                    "C-contiguous array");
  if (!order->starts_with("False"))
    return npyError("'fortran_order' is neither True nor False");

  if (!shapeText->consume_front("("))
    return npyError("'shape' is not a tuple");
  llvm::StringRef dimsText =
      shapeText->take_until([](char c) { return c == ')'; });
  if (dimsText.size() == shapeText->size())
    return npyError("'shape' tuple is not closed");
  std::vector<int64_t> shape;
  uint64_t elements = 1;
  llvm::SmallVector<llvm::StringRef> parts;
  dimsText.split(parts, ',');
  for (llvm::StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    uint64_t dim;
    if (part.getAsInteger(10, dim) || dim > (uint64_t{1} << 40))
      return npyError("bad dimension '" + part + "' in 'shape'");
    shape.push_back(static_cast<int64_t>(dim));
    if (dim != 0 && elements > (uint64_t{1} << 40) / dim)
      return npyError("'shape' has too many elements");
    elements *= dim;
  }

  llvm::StringRef data = buffer.drop_front(headerStart + headerLen);
  uint64_t expected = elements * byteWidth(type);
  if (data.size() != expected)
    return npyError("expected " + llvm::Twine(expected) +
                    " bytes of data for the shape, found " +
                    llvm::Twine(data.size()));
  HostTensor tensor(type, std::move(shape));
  if (expected)
    std::memcpy(tensor.data(), data.data(), expected);
  return tensor;
}

llvm::Expected<HostTensor> norm::readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  auto tensor = parseNpy((*buffer)->getBuffer());
  if (!tensor)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "'" + path + "': " + llvm::toString(tensor.takeError()));
  return tensor;
}

std::string norm::serializeNpy(const HostTensor &input) {
  // NumPy has no bfloat16 or float8: widen them to f4, which is exact.
  HostTensor tensor =
      input.dtype() == DType::BF16 || input.dtype() == DType::F8E4M3FN
          ? input.convertTo(DType::F32)
          : input;
  std::string header;
  llvm::raw_string_ostream os(header);
  const char *descr = tensor.dtype() == DType::F64   ? "<f8"
                      : tensor.dtype() == DType::F16 ? "<f2"
                      : tensor.dtype() == DType::I8  ? "|i1"
                                                     : "<f4";
  os << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (int64_t d : tensor.shape())
    os << d << (tensor.shape().size() == 1 ? "," : ", ");
  os << "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary, and end
  // the header with a newline, as NumPy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(static_cast<const char *>(tensor.data()),
             static_cast<size_t>(tensor.numBytes()));
  return out;
}

llvm::Error norm::writeNpy(const HostTensor &tensor, llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write '" + path +
                                           "': " + ec.message());
  os << serializeNpy(tensor);
  os.close();
  if (os.has_error())
    return llvm::createStringError(os.error(), "cannot write '" + path + "'");
  return llvm::Error::success();
}
