// What a record's `--verify run` launch is made from, the same for `generate` and `verify`.
#pragma once

#include <cstdint>

namespace warpsynth {

// The seed of the inputs `--verify run` and `grad` launch sample `index` on (31 bits: the worker
// seeds numpy with it); `warpsynth verify` gives a generated record the same one, so that its
// checksum replays.
inline std::uint64_t run_input_seed(std::uint64_t sample_seed, std::uint64_t index) {
  return (sample_seed ^ index) & 0x7fffffffull;
}

}  // namespace warpsynth
