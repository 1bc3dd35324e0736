#include "run/shard_assembler.h"

#include <stdexcept>

namespace warpsynth {

ShardAssembler::ShardAssembler(const std::string& dir, const ShardRange& range, ShardFormat format)
    : dir_(dir), format_(format), range_(range), writer_(dir, range.id, format), next_(range.begin) {
  outcome_.samples = range.end - range.begin;
}

void ShardAssembler::add(SampleResult result) {
  if (result.index < next_ || result.index >= range_.end || waiting_.count(result.index)) {
    throw std::logic_error("sample " + std::to_string(result.index) + " given twice or to the wrong shard");
  }
  if (result.index != next_) {
    waiting_.emplace(result.index, std::move(result));
    return;
  }
  write(result);
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first == next_; it = waiting_.erase(it))
    write(it->second);
}

void ShardAssembler::write(SampleResult& r) {
  ++next_;
  for (const auto& [level, verdict] : r.verify) outcome_.verify[level].add(verdict);
  if (!r.ok) {
    ++outcome_.failures_by_stage[r.stage];
    outcome_.failures.push_back({r.index, r.template_name, r.stage, r.message});
  } else if (!ids_.insert(r.id).second) {
    ++outcome_.duplicates;
  } else {
    writer_.add(r.index, r.record);
    ++outcome_.records;
  }
}

ShardOutcome ShardAssembler::commit() {
  if (!complete()) throw std::logic_error("shard " + std::to_string(range_.id) + " committed before its last sample");
  writer_.commit();
  if (auto digest = digest_shard(dir_, range_.id, format_)) {
    outcome_.file_bytes = digest->bytes;
    outcome_.file_xxh3 = digest->xxh3;
  }
  return outcome_;
}

}  // namespace warpsynth
