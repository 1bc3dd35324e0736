// The choices of `warpsynth dataset` that are names on the command line: parsed once, in cli/.
#pragma once

namespace warpsynth {

// --split-by: what a group that goes to one split is made of.
enum class SplitPolicy {
  kCluster,   // a near-duplicate cluster, and the kernels of one source file
  kTemplate,  // those, and also the kernels of one generator template
};

// --format: the row files.
enum class DatasetFormat { kParquet, kJsonl };

inline const char* split_policy_name(SplitPolicy policy) { return policy == SplitPolicy::kTemplate ? "template" : "cluster"; }
inline const char* dataset_format_name(DatasetFormat format) { return format == DatasetFormat::kJsonl ? "jsonl" : "parquet"; }

}  // namespace warpsynth
