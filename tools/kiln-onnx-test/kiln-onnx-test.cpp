//===- kiln-onnx-test.cpp - Run ONNX backend test cases through Kiln ------===//
//
//   kiln-onnx-test DIR... [--list passing.txt] [--write-passing out.txt]
//                  [--summary] [-O N]
//
// Each DIR is a test case (it holds model.onnx and test_data_set_*/) or a
// suite holding test cases, as in /usr/share/libonnx-testdata/data/node.
// Every case is imported, JIT-compiled and run on each data set; outputs
// are compared with output_*.pb under ONNX's tolerances
// (|got - want| <= 1e-7 + 1e-3 * |want|, NaN equals NaN, integers and
// booleans exactly). One line per case: PASS, FAIL (with why) or
// UNSUPPORTED (with what). `--summary` adds a table per op type.
//
// With --list, only the cases named in the file ("suite/case" per line)
// run and every one must pass: the exit status is then the regression
// verdict ctest uses.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OnnxImport.h"

#include "frontend/Frontend.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

namespace cl = llvm::cl;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace {
// Only these show in --help: LLVM's and MLIR's own options would bury them
// under hundreds of lines. Those still work (--mlir-print-ir-after-all, say).
cl::OptionCategory toolOptions("kiln-onnx-test options");

cl::list<std::string> dirs(cl::Positional, cl::cat(toolOptions),
                           cl::desc("<test case or suite dir>"), cl::OneOrMore);
cl::opt<std::string> listFile("list", cl::cat(toolOptions),
                              cl::desc("Run only these cases; all must pass"),
                              cl::value_desc("file"));
cl::opt<std::string> writePassing("write-passing", cl::cat(toolOptions),
                                  cl::desc("Write the passing cases' names"),
                                  cl::value_desc("file"));
cl::opt<bool> summary("summary", cl::cat(toolOptions),
                      cl::desc("Print a table per op type"));
cl::opt<unsigned> optLevel("O", cl::cat(toolOptions),
                           cl::desc("Optimization level (default 3)"),
                           cl::Prefix, cl::init(3));

// The ops of issue 5's list: the denominator of the node-test target.
const std::set<std::string> listedOps = {"Add",
                                         "Sub",
                                         "Mul",
                                         "Div",
                                         "Pow",
                                         "Neg",
                                         "Abs",
                                         "Exp",
                                         "Log",
                                         "Sqrt",
                                         "Reciprocal",
                                         "Sigmoid",
                                         "Tanh",
                                         "Relu",
                                         "LeakyRelu",
                                         "Elu",
                                         "Selu",
                                         "HardSigmoid",
                                         "Softplus",
                                         "Erf",
                                         "Gelu",
                                         "Clip",
                                         "Min",
                                         "Max",
                                         "Sum",
                                         "Mean",
                                         "Where",
                                         "Equal",
                                         "Less",
                                         "Greater",
                                         "Not",
                                         "And",
                                         "Or",
                                         "Cast",
                                         "MatMul",
                                         "Gemm",
                                         "Conv",
                                         "ConvTranspose",
                                         "MaxPool",
                                         "AveragePool",
                                         "GlobalAveragePool",
                                         "GlobalMaxPool",
                                         "BatchNormalization",
                                         "LayerNormalization",
                                         "InstanceNormalization",
                                         "Dropout",
                                         "Softmax",
                                         "LogSoftmax",
                                         "ReduceSum",
                                         "ReduceMean",
                                         "ReduceMax",
                                         "ReduceMin",
                                         "ReduceProd",
                                         "ReduceL2",
                                         "ArgMax",
                                         "ArgMin",
                                         "Reshape",
                                         "Flatten",
                                         "Transpose",
                                         "Squeeze",
                                         "Unsqueeze",
                                         "Concat",
                                         "Split",
                                         "Slice",
                                         "Gather",
                                         "Expand",
                                         "Tile",
                                         "Pad",
                                         "Identity",
                                         "Constant",
                                         "ConstantOfShape",
                                         "Shape",
                                         "Size",
                                         "Range"};

enum class Verdict { Pass, Fail, Unsupported };

struct Outcome {
  Verdict verdict = Verdict::Pass;
  std::string why;
};

std::vector<std::string> sortedFiles(const std::string &dir,
                                     llvm::StringRef prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec))
    if (path::filename(it->path()).starts_with(prefix))
      out.push_back(it->path());
  // input_10.pb after input_9.pb.
  std::sort(out.begin(), out.end(),
            [](const std::string &a, const std::string &b) {
              return a.size() != b.size() ? a.size() < b.size() : a < b;
            });
  return out;
}

bool close(double got, double want) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return got == want;
  return std::fabs(got - want) <= 1e-7 + 1e-3 * std::fabs(want);
}

std::string compare(const kiln::Tensor &got, const kiln::Tensor &want) {
  if (got.dtype() != want.dtype() || got.shape() != want.shape())
    return "got " + kiln::typeString(got.dtype(), got.shape()) + ", want " +
           kiln::typeString(want.dtype(), want.shape());
  bool exact =
      want.dtype() != kiln::DType::F32 && want.dtype() != kiln::DType::F64;
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < want.numElements(); ++i) {
    double g = got.getAsDouble(i), w = want.getAsDouble(i);
    if (exact ? g != w : !close(g, w)) {
      if (first < 0)
        first = i;
      ++bad;
    }
  }
  if (!bad)
    return "";
  return std::to_string(bad) + " of " + std::to_string(want.numElements()) +
         " elements differ, first at " + std::to_string(first) + ": got " +
         std::to_string(got.getAsDouble(first)) + ", want " +
         std::to_string(want.getAsDouble(first));
}

Outcome fail(Verdict v, std::string why) { return {v, std::move(why)}; }

/// Unsupported when the importer says so, a failure otherwise.
Verdict classify(const std::string &message) {
  return llvm::StringRef(message).contains("unsupported") ? Verdict::Unsupported
                                                          : Verdict::Fail;
}

std::string firstLine(std::string s) {
  s = s.substr(0, s.find('\n') == std::string::npos ? s.size() : s.find('\n'));
  return s;
}

struct DataSet {
  std::vector<kiln::Tensor> inputs, outputs;
};

/// Imports and compiles the model with `fixed` inputs folded in.
Outcome compileModel(llvm::StringRef bytes,
                     const std::map<std::string, kiln::Tensor> &fixed,
                     std::unique_ptr<kiln::CompiledModule> &compiled) {
  mlir::DialectRegistry registry;
  kiln::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    kiln::ErrorCollector errors(&context);
    kiln::OnnxImportOptions options;
    options.inputValues = fixed;
    module = kiln::importOnnx(bytes, context, options, "model.onnx");
    if (!module) {
      std::string message = llvm::toString(errors.takeError());
      return fail(classify(message), firstLine(message));
    }
  }
  kiln::CompileOptions options;
  options.optLevel = optLevel;
  auto result = kiln::CompiledModule::compile(*module, options);
  if (!result)
    return fail(Verdict::Fail,
                "compile: " + firstLine(llvm::toString(result.takeError())));
  compiled = std::move(*result);
  return {};
}

Outcome runSet(const kiln::CompiledModule &compiled, const DataSet &data,
               const std::vector<bool> &fixed, const std::string &setName) {
  const kiln::FunctionSignature &sig = compiled.functions().front();
  std::vector<kiln::Tensor> inputs, outputs;
  for (size_t i = 0; i < data.inputs.size(); ++i)
    if (!fixed[i])
      inputs.push_back(data.inputs[i]);
  if (inputs.size() != sig.inputs.size() ||
      data.outputs.size() != sig.results.size())
    return fail(Verdict::Fail,
                "the data set has " + std::to_string(inputs.size()) +
                    " inputs and " + std::to_string(data.outputs.size()) +
                    " outputs, the model " + std::to_string(sig.inputs.size()) +
                    " and " + std::to_string(sig.results.size()));
  kiln::Status s = compiled.invoke(sig.name, inputs, outputs);
  if (!s)
    return fail(Verdict::Fail, "run: " + s.message());
  for (size_t i = 0; i < data.outputs.size(); ++i) {
    std::string diff = compare(outputs[i], data.outputs[i]);
    if (!diff.empty())
      return fail(Verdict::Fail, setName + " output " + std::to_string(i) +
                                     " ('" + sig.results[i].name +
                                     "'): " + diff);
  }
  return {};
}

Outcome runCase(const std::string &dir, llvm::StringRef bytes,
                const std::vector<std::string> &inputNames) {
  std::vector<kiln::UnsupportedNode> unsupported;
  std::string error;
  if (!kiln::findUnsupportedNodes(bytes, unsupported, error))
    return fail(classify(error), error);
  if (!unsupported.empty()) {
    std::set<std::string> ops;
    for (const auto &n : unsupported)
      ops.insert(n.opType +
                 (n.reason == "no converter" ? "" : " (" + n.reason + ")"));
    std::string why;
    for (const auto &op : ops)
      why += (why.empty() ? "" : ", ") + op;
    return fail(Verdict::Unsupported, why);
  }

  std::vector<std::string> sets = sortedFiles(dir, "test_data_set_");
  if (sets.empty())
    return fail(Verdict::Fail, "no test_data_set_*");
  std::vector<DataSet> data(sets.size());
  for (size_t k = 0; k < sets.size(); ++k) {
    for (const char *kind : {"input_", "output_"})
      for (const std::string &file : sortedFiles(sets[k], kind)) {
        auto &list = kind[0] == 'i' ? data[k].inputs : data[k].outputs;
        list.emplace_back();
        kiln::Status s = kiln::readOnnxTensor(file, list.back());
        if (!s)
          return fail(classify(s.message()), s.message());
      }
    if (data[k].inputs.size() != inputNames.size())
      return fail(Verdict::Fail, "the data set has " +
                                     std::to_string(data[k].inputs.size()) +
                                     " inputs, the graph " +
                                     std::to_string(inputNames.size()));
  }

  std::unique_ptr<kiln::CompiledModule> compiled;
  Outcome outcome = compileModel(bytes, {}, compiled);
  if (compiled) {
    std::vector<bool> none(inputNames.size(), false);
    for (size_t k = 0; k < sets.size() && outcome.why.empty(); ++k)
      outcome = runSet(*compiled, data[k], none, path::filename(sets[k]).str());
    return outcome;
  }
  if (!llvm::StringRef(outcome.why).contains("computed at run time"))
    return outcome;
  // The model computes shapes (or attributes such as a padding value) from
  // inputs: fix the integer, bool and one-element inputs at import time,
  // once per data set (Kiln compiles static graphs).
  for (size_t k = 0; k < sets.size(); ++k) {
    std::map<std::string, kiln::Tensor> fixed;
    std::vector<bool> isFixed(inputNames.size(), false);
    for (size_t i = 0; i < inputNames.size(); ++i)
      if ((data[k].inputs[i].dtype() != kiln::DType::F32 &&
           data[k].inputs[i].dtype() != kiln::DType::F64) ||
          data[k].inputs[i].numElements() == 1) {
        fixed[inputNames[i]] = data[k].inputs[i];
        isFixed[i] = true;
      }
    outcome = compileModel(bytes, fixed, compiled);
    if (!compiled)
      return outcome;
    outcome =
        runSet(*compiled, data[k], isFixed, path::filename(sets[k]).str());
    if (!outcome.why.empty())
      return outcome;
  }
  outcome.why = "shape-like inputs fixed at import";
  return outcome;
}

/// The op types of the model and its graph inputs without initializer.
std::set<std::string> describe(llvm::StringRef bytes,
                               std::vector<std::string> &inputs) {
  std::set<std::string> ops;
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
    return ops;
  std::set<std::string> initialized;
  for (const auto &init : model.graph().initializer())
    initialized.insert(init.name());
  for (const auto &input : model.graph().input())
    if (!initialized.count(input.name()))
      inputs.push_back(input.name());
  for (const auto &node : model.graph().node())
    ops.insert(node.op_type());
  return ops;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv, "Kiln ONNX conformance runner\n");

  // Cases: "suite/case" -> directory.
  std::map<std::string, std::string> cases;
  for (const std::string &dir : dirs) {
    auto add = [&](const std::string &d) {
      llvm::SmallString<256> parent(d);
      path::remove_filename(parent);
      std::string name =
          path::filename(parent).str() + "/" + path::filename(d).str();
      cases[name] = d;
    };
    llvm::SmallString<256> model(dir);
    path::append(model, "model.onnx");
    if (fs::exists(model)) {
      add(dir);
      continue;
    }
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec)) {
      llvm::SmallString<256> m(it->path());
      path::append(m, "model.onnx");
      if (fs::exists(m))
        add(it->path());
    }
  }
  std::set<std::string> listed;
  if (!listFile.empty()) {
    std::ifstream in(listFile);
    if (!in) {
      llvm::errs() << "kiln-onnx-test: cannot read '" << listFile << "'\n";
      return 1;
    }
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#')
        listed.insert(line);
    for (const std::string &name : listed)
      if (!cases.count(name)) {
        llvm::errs() << "kiln-onnx-test: listed case '" << name
                     << "' is not under the given directories\n";
        return 1;
      }
  }

  std::map<std::string, std::array<int, 3>> perOp, perSuite;
  std::array<int, 3> total{}, inList{};
  std::vector<std::string> passing;
  int fixedInputs = 0;
  for (const auto &[name, dir] : cases) {
    if (!listed.empty() && !listed.count(name))
      continue;
    llvm::SmallString<256> model(dir);
    path::append(model, "model.onnx");
    auto file = llvm::MemoryBuffer::getFile(model, /*IsText=*/false);
    Outcome outcome;
    std::set<std::string> ops;
    if (!file) {
      outcome = fail(Verdict::Fail, "cannot read " + model.str().str());
    } else {
      std::vector<std::string> inputs;
      ops = describe((*file)->getBuffer(), inputs);
      outcome = runCase(dir, (*file)->getBuffer(), inputs);
    }
    int v = int(outcome.verdict);
    static const char *labels[] = {"PASS", "FAIL", "UNSUPPORTED"};
    if (outcome.verdict == Verdict::Pass && outcome.why.empty() == false)
      ++fixedInputs;
    llvm::outs() << labels[v] << " " << name
                 << (outcome.why.empty() ? "" : ": " + outcome.why) << "\n";
    llvm::outs().flush();
    ++total[v];
    ++perSuite[name.substr(0, name.find('/'))][v];
    bool allListed = !ops.empty();
    for (const std::string &op : ops) {
      ++perOp[op][v];
      allListed &= listedOps.count(op) > 0;
    }
    if (allListed)
      ++inList[v];
    if (outcome.verdict == Verdict::Pass)
      passing.push_back(name);
  }

  if (summary) {
    llvm::outs() << "\nop type                    pass  fail  unsupported\n";
    for (const auto &[op, c] : perOp)
      llvm::outs() << llvm::left_justify(op, 26)
                   << llvm::format_decimal(c[0], 5) << " "
                   << llvm::format_decimal(c[1], 5) << " "
                   << llvm::format_decimal(c[2], 12) << "\n";
    llvm::outs() << "\nsuite                      pass  fail  unsupported\n";
    for (const auto &[suite, c] : perSuite)
      llvm::outs() << llvm::left_justify(suite, 26)
                   << llvm::format_decimal(c[0], 5) << " "
                   << llvm::format_decimal(c[1], 5) << " "
                   << llvm::format_decimal(c[2], 12) << "\n";
  }
  int all = total[0] + total[1] + total[2];
  int listedAll = inList[0] + inList[1] + inList[2];
  llvm::outs() << "\n"
               << total[0] << " of " << all << " cases pass, " << total[1]
               << " fail, " << total[2] << " unsupported; cases whose ops are "
               << "all in the issue's list: " << inList[0] << " of "
               << listedAll << " pass; " << fixedInputs
               << " passing cases had shape-like inputs fixed at import\n";
  if (!writePassing.empty()) {
    std::ofstream out(writePassing);
    for (const std::string &name : passing)
      out << name << "\n";
  }
  return listed.empty() || total[0] == all ? 0 : 1;
}
