// The driver <-> worker protocol: one JSON object per line over the worker's stdin/stdout.
// The Python side is python/warpsynth_worker/protocol.py; both carry kProtocolVersion.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace warpsynth::protocol {

inline constexpr int kProtocolVersion = 1;

// A line from the worker that is not a well-formed message of this protocol.
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ReadyMessage {
  std::string warp_version;
  std::string pinned_warp_version;
  std::string worker_version;
};

struct Reply {
  std::int64_t id = 0;
  bool ok = false;
  nlohmann::json result;  // when ok
  std::string error;      // when !ok
};

// `call`: a function of the file to call after importing it (empty: none).
std::string extract_request(std::int64_t id, const std::string& path, const std::string& label,
                            const std::string& call = "");
std::string shutdown_request();
// Where an installed package is (the reply's result: {"path"}).
std::string locate_package_request(std::int64_t id, const std::string& name);
std::string catalog_request(std::int64_t id);
struct SourceItem {
  std::string label;
  std::string source;
};
// Codegen of a batch of sources (generated kernels); the reply's result has "items", one
// extract-style result per source, in order.
std::string codegen_sources_request(std::int64_t id, const std::vector<SourceItem>& items);
// The same, and each item's kernels compiled: CPU object and CUDA PTX ("verify" in each item).
std::string compile_sources_request(std::int64_t id, const std::vector<SourceItem>& items);

ReadyMessage parse_ready(const std::string& line);
Reply parse_reply(const std::string& line);

}  // namespace warpsynth::protocol
