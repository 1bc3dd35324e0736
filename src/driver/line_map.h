// Where the lines of Warp's `<L n>` comments are in a record's own Python: part of what a worker
// sends with a kernel's code (driver/protocol.h), used by normalization (dataset/normalize.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace warpsynth {

// Warp numbers the lines in the file a function came from; a record's Python puts the kernel and
// its helpers at other lines (and leaves out what it does not need), so each is renumbered in the
// record's terms.
struct LineMap {
  struct Range {
    std::string file;  // as Warp names it in its `// <file>:<line>` comments
    int first = 0;     // lines first..last of that file
    int last = 0;
    int to = 0;        // are lines to.. of the record's Python
  };
  std::string kernel_file;  // the file of the kernel's own code (it has no location comment)
  std::vector<Range> ranges;

  // The record's line for line `line` of `file`; 0 when the record's Python does not hold it
  // (a function of Warp's own library, say).
  int map(std::string_view file, int line) const {
    for (const auto& r : ranges) {
      if (r.file == file && line >= r.first && line <= r.last) return r.to + (line - r.first);
    }
    return 0;
  }
};

}  // namespace warpsynth
