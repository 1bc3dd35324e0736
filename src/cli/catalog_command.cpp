#include <iostream>
#include <memory>

#include "model/catalog.h"
#include "catalog/catalog_fetch.h"
#include "cli/commands.h"
#include "driver/worker.h"
#include "driver/worker_locator.h"
#include "util/atomic_file.h"

namespace warpsynth::cli {

Runner add_catalog_command(CLI::App& app) {
  struct State {
    std::string out;
    bool refresh = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* cmd = app.add_subcommand("catalog", "Export the installed Warp's builtin catalog as JSON");
  cmd->footer(
      "Every builtin overload of the installed Warp (warp._src.context.builtin_functions) with concrete\n"
      "argument and return types, its group, differentiability and hidden flag; generic overloads\n"
      "resolved to concrete signatures the way Warp resolves its exported ones. This is the table the\n"
      "generator draws builtins from. It is cached per Warp version (printed on stderr); --refresh\n"
      "exports it again.");
  cmd->add_option("--out", state->out, "Write the table here (default: standard output)");
  cmd->add_flag("--refresh", state->refresh, "Export again even when a cached table exists");
  return [state]() {
    try {
      LogFile log;  // the worker's chatter is not wanted here
      Worker worker(locate_worker(), log, std::chrono::seconds(120));
      std::string version = worker.ensure_started().warp_version;
      std::string cached = catalog::cached_catalog_path(version);
      if (state->refresh) std::filesystem::remove(cached);
      std::string path = catalog::ensure_cached(worker, std::chrono::seconds(300), &std::cerr);
      worker.shutdown();
      catalog::Catalog table = catalog::Catalog::load(path);
      std::cerr << "catalog of Warp " << version << ": " << table.size() << " usable signatures (" << table.skipped()
                << " outside the type model), cached at " << path << "\n";
      std::ifstream in(path);
      if (state->out.empty()) {
        std::cout << in.rdbuf();
      } else {
        AtomicFile file(state->out);
        file.stream() << in.rdbuf();
        file.commit();
      }
      return kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "warpsynth catalog: " << e.what() << "\n";
      return kExitFailure;
    }
  };
}

}  // namespace warpsynth::cli
