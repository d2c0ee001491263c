//===- MalformedInputTest.cpp - No input crashes the compiler -------------===//
//
// Feeds truncated and mutated Kiln IR (the round-trip test file, in custom
// and generic form) through parsing, verification and the whole lowering
// pipeline. Every variant must end in success or a diagnostic: type
// inference and custom parsers run on unverified IR and must never assert.
//
//===----------------------------------------------------------------------===//

#include "E2ETestUtil.h"
#include "backend/Backend.h"
#include "frontend/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {
class MalformedInput : public ::testing::Test {
protected:
  MalformedInput() {
    mlir::DialectRegistry registry;
    kiln::registerDialects(registry);
    context.appendDialectRegistry(registry);
    context.printOpOnDiagnostic(false);
    // Diagnostics are the expected outcome; count them instead of printing.
    handlerId =
        context.getDiagEngine().registerHandler([this](mlir::Diagnostic &) {
          ++diagnostics;
          return mlir::success();
        });
  }
  ~MalformedInput() override {
    context.getDiagEngine().eraseHandler(handlerId);
  }

  /// Parses, verifies and lowers `text` to the LLVM dialect; true when the
  /// whole pipeline succeeded.
  bool compile(const std::string &text) {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        kiln::parseKilnSource(text, context, "mutated.mlir");
    if (!module)
      return false;
    ++parsed;
    mlir::PassManager pm(&context);
    kiln::buildLoweringPipeline(pm, kiln::Stage::LLVMDialect);
    return mlir::succeeded(pm.run(*module));
  }

  static std::string readSource(const std::string &relative) {
    std::ifstream in(std::string(KILN_SOURCE_DIR) + "/" + relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string genericForm(const std::string &text) {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        kiln::parseKilnSource(text, context, "ops.mlir");
    if (!module)
      return "";
    std::string out;
    llvm::raw_string_ostream os(out);
    module->print(os, mlir::OpPrintingFlags().printGenericOpForm());
    return out;
  }

  /// Replaces a character with one that matters to the syntax, deletes a
  /// short span, or duplicates one.
  static std::string mutate(std::string text, kiln::e2e::Rng &rng) {
    static const char interesting[] = "0123456789x[]{}(),:%-?<>=";
    auto below = [&](size_t n) { return static_cast<size_t>(rng.next() % n); };
    size_t at = below(text.size());
    switch (below(3)) {
    case 0:
      text[at] = interesting[below(sizeof(interesting) - 1)];
      break;
    case 1:
      text.erase(at, 1 + below(8));
      break;
    default:
      text.insert(at, text.substr(at, 1 + below(8)));
      break;
    }
    return text;
  }

  mlir::MLIRContext context{mlir::MLIRContext::Threading::DISABLED};
  mlir::DiagnosticEngine::HandlerID handlerId;
  int diagnostics = 0;
  int parsed = 0;
};

TEST_F(MalformedInput, OriginalsCompile) {
  std::string ops = readSource("test/ir/ops.mlir");
  ASSERT_FALSE(ops.empty());
  EXPECT_TRUE(compile(ops));
  std::string generic = genericForm(ops);
  ASSERT_FALSE(generic.empty());
  EXPECT_TRUE(compile(generic));
}

TEST_F(MalformedInput, TruncatedAndMutatedIRNeverCrashes) {
  std::string ops = readSource("test/ir/ops.mlir");
  ASSERT_FALSE(ops.empty());
  std::string generic = genericForm(ops);
  kiln::e2e::Rng rng(2026);
  int compiled = 0, attempts = 0;
  for (const std::string &text : {ops, generic}) {
    for (size_t n = 0; n < text.size(); n += 97, ++attempts)
      compiled += compile(text.substr(0, n));
    for (int i = 0; i < 600; ++i, ++attempts)
      compiled += compile(mutate(text, rng));
  }
  // Reaching here without a crash is the test; the counts show that the
  // variants exercised the parser, the verifiers and the pipeline.
  EXPECT_GT(diagnostics, attempts / 2);
  EXPECT_GT(parsed, 20);
  EXPECT_GT(compiled, 5);
}
} // namespace
