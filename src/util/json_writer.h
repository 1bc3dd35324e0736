// One JSON value on one line, exactly as nlohmann's dump(-1, ' ', false, replace) writes it, but
// several times faster on what records are made of: long ASCII strings of generated code, which
// are escaped here a run at a time instead of a byte at a time. Strings with other bytes (UTF-8,
// or invalid sequences to replace) and numbers are left to nlohmann, so the text is the same.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace warpsynth {

std::string json_line(const nlohmann::ordered_json& value);

}  // namespace warpsynth
