#include "cli/option_checks.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>

#include "run/cluster_run.h"

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

namespace {

// A finite number above `bound` (or at it, when `bound_allowed`): CLI11's own checks let nan through.
CLI::Validator finite_from(double bound, bool bound_allowed, const std::string& what, const std::string& name) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double value = 0.0;
        const char* end = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || ptr != end || !std::isfinite(value) || value < bound || (!bound_allowed && value == bound)) {
          return "'" + text + "' is not " + what;
        }
        return "";
      },
      name);
}

}  // namespace

int ray_address_refusal(const std::string& address, const std::string& command) {
  if (auto problem = ray_address_problem(address); !problem.empty()) {
    std::cerr << "warpsynth " << command << ": --ray " << problem << "\n";
    return 2;
  }
  if (auto problem = ray_address_unreachable(address); !problem.empty()) {
    std::cerr << "warpsynth " << command << ": --ray: " << problem << "\n";
    return 1;
  }
  return 0;
}

CLI::Validator finite_positive() { return finite_from(0.0, false, "a finite number above 0", "POSITIVE"); }

CLI::Validator finite_non_negative() { return finite_from(0.0, true, "a finite number, 0 or above", "NON-NEGATIVE"); }

}  // namespace warpsynth::cli
