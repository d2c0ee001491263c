//===- GraphError.h - Errors of the graph builder, with call sites -*- C++
//-*-===//
//
// Mistakes in building a graph are reported as exceptions at the builder
// call that made them; CallSite captures where that call is in the user's
// source.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_GRAPHERROR_H
#define KILN_FRONTEND_GRAPHERROR_H

#include <stdexcept>
#include <string>

namespace kiln {

/// A mistake in building a graph (shape or dtype mismatch, bad axis, unknown
/// name, ...). The message starts with the user's "file:line: ".
class GraphError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A place in the user's source. As the last, defaulted parameter of a
/// builder function it captures the caller's file and line (the builtins are
/// evaluated at the call site; g++ and clang).
struct CallSite {
  CallSite(const char *file = __builtin_FILE(),
           unsigned line = __builtin_LINE())
      : file(file), line(line) {}
  const char *file;
  unsigned line;
  /// "file:line"
  std::string str() const;
};

/// Throws GraphError("file:line: what: message"); `what` names the builder
/// function or layer that found the mistake.
[[noreturn]] void throwGraphError(const CallSite &site, const std::string &what,
                                  const std::string &message);

} // namespace kiln

#endif // KILN_FRONTEND_GRAPHERROR_H
