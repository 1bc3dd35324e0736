// Parses JSON text into nlohmann::json with simdjson, which reads the worker's replies (megabytes
// of generated code per batch) several times faster than nlohmann's own parser. The value is the
// one nlohmann::json::parse gives: non-negative integers as unsigned, negative ones as signed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace warpsynth {

// nullopt when `text` is not valid JSON.
std::optional<nlohmann::json> read_json(std::string_view text);
// The same, keeping the objects' keys in the order of the text.
std::optional<nlohmann::ordered_json> read_ordered_json(std::string_view text);

}  // namespace warpsynth
