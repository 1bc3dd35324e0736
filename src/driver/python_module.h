// Runs a module of the project's Python folder (python/) with the worker's interpreter, to its end:
// the steps done in Python that are not Warp's (Parquet through pyarrow, plots with matplotlib).
#pragma once

#include <string>
#include <vector>

namespace warpsynth {

// `python -m MODULE ARGS...`; throws std::runtime_error with the end of what it printed on stderr
// when it does not exit with 0.
void run_python_module(const std::string& module, const std::vector<std::string>& args);

}  // namespace warpsynth
