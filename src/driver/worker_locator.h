// Finds the Python interpreter and the worker package that the driver starts.
#pragma once

#include <string>

namespace warpsynth {

struct WorkerCommand {
  std::string python;       // interpreter with warp-lang installed
  std::string python_path;  // folder holding the warpsynth_worker package
};

// WARPSYNTH_PYTHON and WARPSYNTH_WORKER_PATH override; otherwise the project's .venv and
// python/ folder next to the build directory holding this executable (build/..). Throws
// std::runtime_error naming what is missing and how to fix it.
WorkerCommand locate_worker();

}  // namespace warpsynth
