// How far a run verifies what it makes (`generate --verify`, `verify --level`): each level
// includes the ones before it. Parsed from its name once, in cli/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warpsynth {

enum class VerifyLevel { kCodegen, kCompile, kRun, kGrad };

inline const char* verify_level_name(VerifyLevel level) {
  switch (level) {
    case VerifyLevel::kCodegen:
      return "codegen";
    case VerifyLevel::kCompile:
      return "compile";
    case VerifyLevel::kRun:
      return "run";
    case VerifyLevel::kGrad:
      break;
  }
  return "grad";
}

inline std::optional<VerifyLevel> parse_verify_level(std::string_view name) {
  for (VerifyLevel level : {VerifyLevel::kCodegen, VerifyLevel::kCompile, VerifyLevel::kRun, VerifyLevel::kGrad}) {
    if (name == verify_level_name(level)) return level;
  }
  return std::nullopt;
}

// Whether the level launches each kernel (run and grad).
inline bool launches(VerifyLevel level) { return level >= VerifyLevel::kRun; }

}  // namespace warpsynth
