#include "cli/option_checks.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace warpsynth::cli {

CLI::Validator unsigned_64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || ec == std::errc::invalid_argument || ptr != end) {
          return "'" + text + "' is not a non-negative integer";
        }
        if (ec == std::errc::result_out_of_range) return "'" + text + "' is above 18446744073709551615";
        return "";
      },
      "UINT64");
}

CLI::Validator finite_positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0.0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || ptr != end || !std::isfinite(value) || value <= 0.0) {
          return "'" + text + "' is not a finite number above 0";
        }
        return "";
      },
      "POSITIVE");
}

CLI::Validator finite_non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0.0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || ptr != end || !std::isfinite(value) || value < 0.0) {
          return "'" + text + "' is not a finite number, 0 or above";
        }
        return "";
      },
      "NON-NEGATIVE");
}

}  // namespace warpsynth::cli
