//===- FrontendTestUtil.h - Shared helpers of the builder tests ----------===//
//
// On top of the end-to-end helpers (e2e/E2ETestUtil.h: Rng, matches,
// contains, references): running a builder graph, and catching the
// GraphError of a statement to check its message and its file:line.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_FRONTEND_FRONTENDTESTUTIL_H
#define KILN_TEST_FRONTEND_FRONTENDTESTUTIL_H

#include "e2e/E2ETestUtil.h"
#include "frontend/Frontend.h"

#include <functional>

namespace kiln::frontend_test {

using namespace kiln::e2e;

/// The message of the GraphError `statement` throws ("" and a test failure
/// if it throws none).
inline std::string graphError(const std::function<void()> &statement) {
  try {
    statement();
  } catch (const GraphError &error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a GraphError";
  return "";
}

/// The elements of `t` as doubles.
inline std::vector<double> valuesOf(const Tensor &t) {
  std::vector<double> v(t.numElements());
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[i] = t.getAsDouble(i);
  return v;
}

/// "<this test file>:<line>: ", how a message locates the builder call.
#define KILN_AT(line)                                                          \
  (std::string(__FILE__) + ":" + std::to_string(line) + ": ")

/// Compiles `graph` and runs it on `inputs`; a failure is a test failure.
inline std::vector<Tensor> compileAndRun(Graph &graph,
                                         const std::vector<Tensor> &inputs) {
  try {
    return graph.compile()->run(inputs);
  } catch (const GraphError &error) {
    ADD_FAILURE() << error.what() << "\n" << graph.toString();
    return {};
  }
}

} // namespace kiln::frontend_test

#endif // KILN_TEST_FRONTEND_FRONTENDTESTUTIL_H
