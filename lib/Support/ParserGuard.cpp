//===- ParserGuard.cpp - Inputs upstream MLIR's parser crashes on ---------===//
//
// A scan with the lexical rules of MLIR's lexer that matter here: comments,
// strings, prefixed identifiers (%x, ^bb, #a, !t, @f) and bare identifiers
// (op names such as linalg.broadcast are one bare identifier). After the
// custom form of one of the three ops, its array keyword followed by `=`
// must start what DenseI64ArrayAttr::parse accepts: `[` (-? integer
// (, -? integer)*)? `]`, every integer (decimal or hex) within int64.
//
//===----------------------------------------------------------------------===//

#include "norm/Support/ParserGuard.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::norm;

namespace {
class Scanner {
public:
  explicit Scanner(llvm::StringRef source) : text(source) {}

  std::optional<ParserHazard> run();

private:
  bool done() const { return pos >= text.size(); }
  char peek(size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  static bool isIdStart(char c) { return llvm::isAlpha(c) || c == '_'; }
  static bool isIdChar(char c) {
    return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.';
  }
  /// Skips whitespace and `//` comments.
  void skipTrivia();
  void skipString();
  /// Checks the array after `keyword =`; a message if it would crash.
  std::optional<std::string> checkArray();
  /// Checks one integer (after an optional `-`); false if it would crash.
  bool checkInteger();

  llvm::StringRef text;
  size_t pos = 0;
};
} // namespace

void Scanner::skipTrivia() {
  while (!done()) {
    if (llvm::isSpace(peek())) {
      ++pos;
    } else if (peek() == '/' && peek(1) == '/') {
      while (!done() && peek() != '\n')
        ++pos;
    } else {
      return;
    }
  }
}

void Scanner::skipString() {
  ++pos; // the opening quote
  while (!done() && peek() != '"' && peek() != '\n') {
    if (peek() == '\\')
      ++pos;
    ++pos;
  }
  ++pos;
}

bool Scanner::checkInteger() {
  bool negative = peek() == '-';
  if (negative) {
    ++pos;
    skipTrivia();
  }
  if (!llvm::isDigit(peek()))
    return false;
  // The magnitude, saturated above 2^63.
  constexpr uint64_t limit = uint64_t{1} << 63;
  uint64_t value = 0;
  bool hex = peek() == '0' && peek(1) == 'x' && llvm::isHexDigit(peek(2));
  unsigned base = hex ? 16 : 10;
  if (hex)
    pos += 2;
  auto digit = [&](char c) -> std::optional<unsigned> {
    if (llvm::isDigit(c))
      return c - '0';
    if (hex && llvm::isHexDigit(c))
      return llvm::hexDigitValue(c);
    return std::nullopt;
  };
  while (std::optional<unsigned> d = digit(peek())) {
    value = value > limit / base ? limit + 1
                                 : std::min(limit + 1, value * base + *d);
    ++pos;
  }
  if (peek() == '.') // a float literal
    return false;
  return value <= (negative ? limit : limit - 1);
}

std::optional<std::string> Scanner::checkArray() {
  skipTrivia();
  if (peek() != '[')
    return "must be a list of integers in brackets";
  ++pos;
  skipTrivia();
  if (peek() == ']')
    return std::nullopt;
  while (true) {
    skipTrivia();
    if (!checkInteger())
      return "must hold 64-bit integers";
    skipTrivia();
    if (peek() == ']')
      return std::nullopt;
    if (peek() != ',')
      return "must be a comma-separated list of integers";
    ++pos;
  }
}

std::optional<ParserHazard> Scanner::run() {
  // The keyword of the custom-form op last seen, with the op's name.
  llvm::StringRef keyword, opName;
  while (!done()) {
    skipTrivia();
    if (done())
      break;
    char c = peek();
    if (c == '"') {
      skipString();
      continue;
    }
    if (c == '%' || c == '^' || c == '#' || c == '!' || c == '@') {
      ++pos;
      if (peek() == '"') {
        skipString();
        continue;
      }
      while (!done() && (isIdChar(peek()) || peek() == '-'))
        ++pos;
      continue;
    }
    if (llvm::isDigit(c)) { // numbers, 0x1f, 1.5e3, 4x8xf32 ...
      while (!done() && (isIdChar(peek())))
        ++pos;
      continue;
    }
    if (!isIdStart(c)) {
      ++pos;
      continue;
    }
    size_t start = pos;
    while (!done() && isIdChar(peek()))
      ++pos;
    llvm::StringRef id = text.slice(start, pos);
    llvm::StringRef expected = llvm::StringSwitch<llvm::StringRef>(id)
                                   .Case("linalg.broadcast", "dimensions")
                                   .Case("linalg.reduce", "dimensions")
                                   .Case("linalg.transpose", "permutation")
                                   .Default("");
    if (!expected.empty()) {
      keyword = expected;
      opName = id;
      continue;
    }
    if (keyword.empty() || id != keyword)
      continue;
    skipTrivia();
    if (peek() != '=') { // the op's parser fails cleanly
      keyword = {};
      continue;
    }
    ++pos;
    skipTrivia();
    size_t arrayStart = pos;
    if (std::optional<std::string> why = checkArray())
      return ParserHazard{arrayStart,
                          ("'" + keyword + "' of " + opName + " " + *why +
                           " (MLIR 22's parser would crash here)")
                              .str()};
    keyword = {};
  }
  return std::nullopt;
}

std::optional<ParserHazard> norm::findParserHazard(llvm::StringRef source) {
  return Scanner(source).run();
}

bool norm::reportParserHazard(llvm::SourceMgr &sourceMgr) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  std::optional<ParserHazard> hazard = findParserHazard(buffer->getBuffer());
  if (!hazard)
    return false;
  sourceMgr.PrintMessage(
      llvm::errs(),
      llvm::SMLoc::getFromPointer(buffer->getBufferStart() + hazard->offset),
      llvm::SourceMgr::DK_Error, hazard->message);
  return true;
}
