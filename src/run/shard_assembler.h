// Turns the samples of one shard, finished by the workers in any order, into the shard's file:
// records are written in index order as soon as every lower index of the shard is in, so a shard
// is never held in memory whole and its file is done when its last sample is. An exact duplicate
// (the id of a record already written in the shard) is dropped; failures are listed in index order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "dataset/shard_files.h"
#include "run/manifest.h"

namespace warpsynth {

// One sample's fate: a record (its JSON line and id), or a failure with its stage and message.
struct SampleResult {
  std::uint64_t index = 0;
  std::string template_name;
  bool ok = false;
  std::string record;  // one line
  std::string id;
  std::string stage, message;
  // Each verification level's verdict for this sample ("ok", "failed: ...", "skipped: ..."),
  // failed samples included: the summary counts them per level.
  std::vector<std::pair<std::string, std::string>> verify;
};

class ShardAssembler {
 public:
  ShardAssembler(const std::string& dir, const ShardRange& range, ShardFormat format);

  // Takes one sample of the shard (any order, each index once).
  void add(SampleResult result);
  bool complete() const { return next_ == range_.end; }
  // Renames the finished file into place; only once complete().
  ShardOutcome commit();

 private:
  void write(SampleResult& result);

  std::string dir_;
  ShardFormat format_;
  ShardRange range_;
  ShardWriter writer_;
  std::uint64_t next_;                             // lowest index not written yet
  std::map<std::uint64_t, SampleResult> waiting_;  // arrived before a lower index
  std::set<std::string> ids_;
  ShardOutcome outcome_;
};

}  // namespace warpsynth
