//===- CompiledGraph.h - A builder graph compiled for the JIT ---*- C++ -*-===//
//
// Graph::compile() gives a CompiledGraph: the graph's function compiled once
// by the JIT, with the parameter and buffer values the graph had at compile
// time (buffers that are updated are copied). run() takes only the inputs; it
// passes the parameters and buffers itself, and the compiled code writes the
// buffers' updated values into them in place, like a PyTorch module's
// forward in training mode.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_COMPILEDGRAPH_H
#define KILN_FRONTEND_COMPILEDGRAPH_H

#include "backend/Backend.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln {

class CompiledGraph {
public:
  /// `signature` is the function's, with the Graph's argument and output
  /// names; `state` holds the parameter and buffer values by name.
  CompiledGraph(std::unique_ptr<CompiledModule> module,
                FunctionSignature signature,
                std::map<std::string, Tensor> state);

  /// Runs the function on `inputs`, one per Graph input in order; returns
  /// the outputs in order. Throws GraphError for wrong inputs (the message
  /// names the argument, expected and actual type) or a missing parameter
  /// value.
  std::vector<Tensor> run(const std::vector<Tensor> &inputs);

  /// Parameter and buffer values by name.
  const std::map<std::string, Tensor> &state() const { return state_; }
  /// Replaces one (an updated buffer with a copy of `value`); the dtype and
  /// shape must be the argument's.
  void setState(const std::string &name, const Tensor &value);

  const FunctionSignature &signature() const { return signature_; }
  const CompiledModule &module() const { return *module_; }

private:
  /// A contiguous copy with its own storage: compiled code updates buffers
  /// in place, which must not reach the Graph's or the caller's tensors.
  static Tensor ownCopy(const Tensor &value);

  std::unique_ptr<CompiledModule> module_;
  FunctionSignature signature_;
  std::map<std::string, Tensor> state_;
};

} // namespace kiln

#endif // KILN_FRONTEND_COMPILEDGRAPH_H
