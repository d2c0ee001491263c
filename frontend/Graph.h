//===- Graph.h - Building a Kiln model function in C++ ----------*- C++ -*-===//
//
// kiln::Graph builds one function of Kiln IR (a module holding one
// func.func) through MLIR's OpBuilder. Its arguments are inputs (data),
// parameters (trainable, with initial values) and buffers (non-trainable
// state with an optional updated value per call); its results are the named
// outputs followed by the buffers' updated values (kiln.updates: written in
// place, not returned, by compiled code).
//
// Symbolic values are kiln::Var handles; the ops that combine them are free
// functions in GraphOps.h. Every op is checked when it is built: a shape or
// dtype mismatch throws kiln::GraphError naming the op, the operands and the
// user's source line, and the op's MLIR location is that line.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_GRAPH_H
#define KILN_FRONTEND_GRAPH_H

#include "frontend/GraphError.h"
#include "frontend/Initializers.h"
#include "runtime/Runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

class CompiledGraph;
class Graph;
struct CompileOptions;

/// A symbolic tensor of a Graph: an mlir::Value with a static shape and a
/// dtype. Cheap to copy; valid while its Graph lives.
class Var {
public:
  Var() = default;
  /// Wraps a tensor value built in `graph` (for code that builds ops
  /// directly through Graph::builder()).
  Var(Graph &graph, mlir::Value value);

  bool isNull() const { return !graph_; }
  Graph &graph() const;
  mlir::Value value() const { return value_; }
  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// Size of dimension `axis`; negative axes count from the end.
  int64_t dim(int64_t axis) const;
  int64_t numElements() const;
  /// "8x784xf32"
  std::string typeString() const;
  /// What the value is, for messages: "input 'x' 8x784xf32" for an
  /// argument, "8x512xf32 built at file:line" for an op result.
  std::string describe() const;

private:
  Graph *graph_ = nullptr;
  mlir::Value value_;
  std::vector<int64_t> shape_;
  DType dtype_ = DType::F32;
};

/// A Var used as the operand of an operator, with the place of the use (the
/// conversion from Var captures it), so that `a + b` reports its line too.
struct VarUse {
  VarUse(const Var &var, CallSite site = {}) : var(var), site(site) {}
  Var var;
  CallSite site;
};

/// Builds one function of Kiln IR. Not copyable or movable: Vars point at it.
class Graph {
public:
  /// `functionName` names the func.func; `seed` is the default seed of the
  /// parameters' initializers (each parameter draws from its own stream,
  /// derived from this seed and its name).
  explicit Graph(const std::string &functionName = "forward",
                 uint64_t seed = 0);
  ~Graph();
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  //===--------------------------------------------------------------------===//
  // Arguments, constants and outputs
  //===--------------------------------------------------------------------===//

  /// A data argument (kiln.name = name).
  Var input(const std::string &name, const std::vector<int64_t> &shape,
            DType dtype = DType::F32, CallSite site = {});
  /// A trainable parameter (kiln.name, kiln.parameter) whose initial value
  /// `init` draws now.
  Var parameter(const std::string &name, const std::vector<int64_t> &shape,
                const Initializer &init, DType dtype = DType::F32,
                CallSite site = {});
  /// Non-trainable state (kiln.name, kiln.buffer) such as BatchNorm's
  /// running statistics.
  Var buffer(const std::string &name, const std::vector<int64_t> &shape,
             const Initializer &init, DType dtype = DType::F32,
             CallSite site = {});
  /// Declares the value `buffer` takes after a call: an extra result
  /// (kiln.name = the buffer's name, kiln.updates = its argument index),
  /// which compiled code writes into the buffer's storage in place.
  void updateBuffer(const Var &buffer, const Var &newValue, CallSite site = {});

  Var constant(const Tensor &value, CallSite site = {});
  /// A constant of `shape` with every element `value`.
  Var full(const std::vector<int64_t> &shape, double value,
           DType dtype = DType::F32, CallSite site = {});

  /// Makes `value` a result named `name` (kiln.name).
  void output(const std::string &name, const Var &value, CallSite site = {});

  //===--------------------------------------------------------------------===//
  // What the graph holds (also what a training-step compiler needs)
  //===--------------------------------------------------------------------===//

  struct Argument {
    std::string name;
    TensorRole role; ///< Data (input), Parameter or Buffer
    Var var;         ///< the block argument
  };
  /// In function-argument order.
  const std::vector<Argument> &arguments() const { return arguments_; }
  std::vector<Var> inputs() const {
    return argumentsWithRole(TensorRole::Data);
  }
  std::vector<Var> parameters() const {
    return argumentsWithRole(TensorRole::Parameter);
  }
  std::vector<Var> buffers() const {
    return argumentsWithRole(TensorRole::Buffer);
  }
  /// The argument named `name`, or null.
  const Argument *findArgument(const std::string &name) const;

  struct Output {
    std::string name;
    Var var;
  };
  /// The function's first results, in order.
  const std::vector<Output> &outputs() const { return outputs_; }
  struct BufferUpdate {
    Var buffer;   ///< the buffer argument
    Var newValue; ///< its value after a call
  };
  /// The function's results after the outputs, in order.
  const std::vector<BufferUpdate> &bufferUpdates() const {
    return bufferUpdates_;
  }

  /// The current value of the parameter or buffer `name` (empty for a graph
  /// loaded from text until loadStateDict gives it one). Throws if unknown.
  const Tensor &value(const std::string &name) const;
  /// Replaces it; the dtype and shape must match.
  void setValue(const std::string &name, const Tensor &value);
  /// Every parameter and buffer value by name (PyTorch's state_dict).
  std::map<std::string, Tensor> stateDict() const;
  /// Sets the values of the names in `values`; every name must be a
  /// parameter or buffer. With `strict`, every parameter and buffer must be
  /// given.
  void loadStateDict(const std::map<std::string, Tensor> &values,
                     bool strict = true);

  uint64_t seed() const { return seed_; }
  mlir::MLIRContext &context() { return *context_; }
  mlir::ModuleOp module() { return *module_; }
  mlir::func::FuncOp function() { return function_; }
  /// A builder inserting before the function's return, for code that builds
  /// ops directly.
  mlir::OpBuilder &builder();
  /// The MLIR location of `site`.
  mlir::Location location(const CallSite &site);

  //===--------------------------------------------------------------------===//
  // Text and compilation
  //===--------------------------------------------------------------------===//

  /// The module as Kiln IR text (with `loc(...)` source locations when
  /// `withLocations`).
  std::string toString(bool withLocations = false);
  /// Writes toString() to `path`; throws GraphError if it cannot.
  void save(const std::string &path, bool withLocations = false);
  /// Reconstructs a Graph from Kiln IR text holding one func.func: inputs,
  /// parameters, buffers, outputs and buffer updates come from the kiln.name,
  /// kiln.parameter, kiln.buffer and kiln.updates attributes. Parameter and
  /// buffer values are not part of the IR: they are empty until loadStateDict.
  /// Throws GraphError with the parser's or verifier's message.
  static std::unique_ptr<Graph>
  parse(const std::string &text, const std::string &bufferName = "<graph>");
  static std::unique_ptr<Graph> load(const std::string &path);

  /// Verifies and JIT-compiles the function; throws GraphError with the
  /// diagnostics on failure.
  std::unique_ptr<CompiledGraph> compile(const CompileOptions &options);
  std::unique_ptr<CompiledGraph> compile();

private:
  Graph(std::unique_ptr<mlir::MLIRContext> context,
        mlir::OwningOpRef<mlir::ModuleOp> module);
  std::vector<Var> argumentsWithRole(TensorRole role) const;
  Var addArgument(const std::string &name, const std::vector<int64_t> &shape,
                  DType dtype, TensorRole role, const CallSite &site);
  void updateResults();
  /// For parse: arguments, outputs and buffer updates from the attributes.
  void recoverStructure(const std::string &source);

  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::func::FuncOp function_;
  mlir::OpBuilder builder_;
  uint64_t seed_ = 0;
  std::vector<Argument> arguments_;
  std::vector<Output> outputs_;
  std::vector<BufferUpdate> bufferUpdates_;
  std::map<std::string, Tensor> values_;
};

} // namespace kiln

#endif // KILN_FRONTEND_GRAPH_H
