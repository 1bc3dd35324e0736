// Which Python files an extraction reads, and the stable labels they get in the output.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace warpsynth {

struct SourceFile {
  std::string path;        // absolute
  std::string label;       // path shown in records: `<folder name>/<relative path>` or the file name
  bool named_explicitly;   // given on the command line (not found by walking a folder)
  std::size_t input = 0;   // which of the inputs it was found under
};

struct InputProblem {
  std::string input;
  std::string message;
};

struct SourceList {
  std::vector<SourceFile> files;
  std::vector<InputProblem> problems;
};

// Every `.py` file given, and every `.py` under a given folder (hidden folders and __pycache__
// skipped), each once, in a deterministic order: inputs in the order given, files within a
// folder sorted by label.
SourceList collect_sources(const std::vector<std::string>& inputs);

}  // namespace warpsynth
