// Strict parsing of option values: CLI11's own checks let `--seed -1` wrap around to 2^64 - 1 and
// `--timeout nan` through (issue 13). These validators see the text before CLI11 converts it.
#pragma once

#include <CLI/CLI.hpp>

namespace warpsynth::cli {

// A decimal integer in [0, 2^64 - 1]: digits only, no sign, no wrap-around.
CLI::Validator unsigned_64();

// A finite number above zero (not nan, not inf).
CLI::Validator finite_positive();

// A finite number, zero or above (a limit where 0 means none).
CLI::Validator finite_non_negative();

// For --ray ADDRESS of `command`: 0 when the address is well formed and something answers there
// (or it is auto), else the exit code (2 malformed, 1 nothing answering), the reason printed.
int ray_address_refusal(const std::string& address, const std::string& command);

}  // namespace warpsynth::cli
