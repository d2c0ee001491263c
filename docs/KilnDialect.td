//===- KilnDialect.td - Every op of the kiln dialect, for its reference --===//
//
// The generated dialect reference (docs/reference/KilnDialect.md) covers
// all files of kiln ops; the build reads this file only for that.
//
//===----------------------------------------------------------------------===//

include "ir/KilnOps.td"
include "ir/KilnNNOps.td"
