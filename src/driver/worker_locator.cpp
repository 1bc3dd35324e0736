#include "driver/worker_locator.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

fs::path project_root() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path();
  return exe.parent_path().parent_path();  // <root>/build/warpsynth
}

std::string from_env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

}  // namespace

WorkerCommand locate_worker() {
  WorkerCommand command;
  fs::path root = project_root();

  command.python = from_env("WARPSYNTH_PYTHON");
  if (command.python.empty()) {
    fs::path venv_python = root / ".venv" / "bin" / "python";
    if (!fs::exists(venv_python)) {
      throw std::runtime_error("the worker's Python was not found at " + venv_python.string() +
                               "; run `make` in the project root, or set WARPSYNTH_PYTHON");
    }
    command.python = venv_python.string();
  }

  command.python_path = from_env("WARPSYNTH_WORKER_PATH");
  if (command.python_path.empty()) command.python_path = (root / "python").string();
  if (!fs::exists(fs::path(command.python_path) / "warpsynth_worker" / "__main__.py")) {
    throw std::runtime_error("the worker package warpsynth_worker was not found under " + command.python_path +
                             "; set WARPSYNTH_WORKER_PATH to the folder that holds it");
  }
  return command;
}

}  // namespace warpsynth
