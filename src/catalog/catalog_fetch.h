// The catalog of the Warp the worker runs: asked of the worker once, then cached per Warp
// version in the user's cache folder, so later runs start without the export.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "driver/worker.h"

namespace warpsynth::catalog {

// $WARPSYNTH_CACHE_DIR, else $XDG_CACHE_HOME/warpsynth, else ~/.cache/warpsynth.
std::string cache_dir();
std::string cached_catalog_path(const std::string& warp_version);

// The catalog table from the worker (no cache). Throws std::runtime_error on failure.
nlohmann::json export_from_worker(WorkerConnection& worker, std::chrono::milliseconds timeout);

// The table as written to the cache: one signature a line.
std::string format_table(const nlohmann::json& table);

// The cached table for the worker's Warp version, exported and cached first when missing, or
// when the cached file does not load (truncated, not JSON, another format): then exported again,
// and `log`, when given, says why. Returns the path of the cached file.
std::string ensure_cached(WorkerConnection& worker, std::chrono::milliseconds timeout, std::ostream* log = nullptr);

}  // namespace warpsynth::catalog
