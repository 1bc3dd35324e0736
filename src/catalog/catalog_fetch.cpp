#include "catalog/catalog_fetch.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "model/catalog.h"
#include "driver/protocol.h"
#include "util/atomic_file.h"

namespace fs = std::filesystem;

namespace warpsynth::catalog {

std::string cache_dir() {
  if (const char* dir = std::getenv("WARPSYNTH_CACHE_DIR"); dir && *dir) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return (fs::path(xdg) / "warpsynth").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : "/tmp") / ".cache" / "warpsynth").string();
}

std::string cached_catalog_path(const std::string& warp_version) {
  return (fs::path(cache_dir()) / ("catalog-warp-" + warp_version + "-f" + std::to_string(kCatalogFormat) + ".json"))
      .string();
}

nlohmann::json export_from_worker(WorkerConnection& worker, std::chrono::milliseconds timeout) {
  CallOutcome outcome = worker.call(1, protocol::catalog_request(1), timeout);
  if (outcome.kind != CallOutcome::Kind::kOk) {
    throw std::runtime_error("the worker could not export Warp's builtin catalog: " + outcome.detail);
  }
  int format = outcome.result.value("format", 0);
  if (format != kCatalogFormat) {
    throw std::runtime_error("the worker exports catalog format " + std::to_string(format) + ", this warpsynth reads " +
                             std::to_string(kCatalogFormat) + " (python/ and build/ are from different versions)");
  }
  return std::move(outcome.result);
}

std::string format_table(const nlohmann::json& table) {
  // One signature a line: compact, and a diff between two Warp versions reads line by line.
  std::string out = "{\n";
  bool first_field = true;
  for (auto it = table.begin(); it != table.end(); ++it) {
    out += first_field ? "" : ",\n";
    first_field = false;
    out += nlohmann::json(it.key()).dump() + ": ";
    if (it->is_array()) {
      out += "[\n";
      for (size_t i = 0; i < it->size(); ++i) out += (*it)[i].dump() + (i + 1 < it->size() ? ",\n" : "\n");
      out += "]";
    } else {
      out += it->dump();
    }
  }
  return out + "\n}\n";
}

std::string ensure_cached(WorkerConnection& worker, std::chrono::milliseconds timeout, std::ostream* log) {
  std::string path = cached_catalog_path(worker.ensure_started().warp_version);
  if (fs::exists(path)) {
    try {
      Catalog::load(path);
      return path;
    } catch (const std::exception& e) {
      // A cache cut short (a full disk, a copy) would otherwise fail every run until --refresh.
      if (log) *log << "the cached catalog does not load (" << e.what() << "): exporting it again\n";
    }
  }
  nlohmann::json table = export_from_worker(worker, timeout);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw std::runtime_error("cannot create the cache folder " + fs::path(path).parent_path().string());
  AtomicFile file(path);
  file.stream() << format_table(table);
  file.commit();
  return path;
}

}  // namespace warpsynth::catalog
