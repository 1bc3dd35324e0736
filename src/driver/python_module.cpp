#include "driver/python_module.h"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "driver/worker_locator.h"
#include "util/subprocess.h"

namespace warpsynth {

void run_python_module(const std::string& module, const std::vector<std::string>& args) {
  WorkerCommand command = locate_worker();
  SpawnOptions options;
  options.argv = {command.python, "-m", module};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env_overrides["PYTHONPATH"] = command.python_path;
  Subprocess process(options);
  std::string errors;
  process.set_stderr_sink([&](std::string_view line) { errors += std::string(line) + "\n"; });
  std::string line;
  while (process.read_line(line, Subprocess::Clock::now() + std::chrono::hours(2)) == Subprocess::ReadStatus::kLine) {
  }
  process.finish(std::chrono::seconds(60));
  const ExitStatus exit = process.exit_status();
  if (!exit.success()) {
    throw std::runtime_error(fmt::format("{} -m {} failed ({}):\n{}", command.python, module, exit.describe(),
                                         errors.size() > 4000 ? errors.substr(errors.size() - 4000) : errors));
  }
}

}  // namespace warpsynth
