// How a generated kernel is launched, beyond its dimensions and array shapes: the launch function,
// a tiled launch's block size and the host objects (meshes, BVHs, ...) built for its arguments.
// The generator fills it; a record keeps it (meta.launch) so that `verify` launches the same way.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace warpsynth::model {

struct LaunchSpec {
  int tiled_block_dim = 0;  // wp.launch_tiled at this block dim; 0: wp.launch
  // Argument -> the host object built for it ("wp.Mesh", "wp.Bvh", ...), in the arguments' order.
  std::vector<std::pair<std::string, std::string>> host_objects;

  bool operator==(const LaunchSpec&) const = default;
};

}  // namespace warpsynth::model
