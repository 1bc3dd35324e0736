// Shards: the samples of a run cut into fixed index ranges, each written as one unit that
// appears under its final name only when complete (JSONL, JSONL compressed with zstd, or a folder
// of one JSON file per sample). A folder's records are read back in name order, whatever the form.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warpsynth {

enum class ShardFormat { kJsonl, kJsonlZstd, kJson };

// "jsonl", "jsonl.zst", "json"; throws std::invalid_argument for anything else.
ShardFormat parse_shard_format(const std::string& name);
std::string shard_format_name(ShardFormat format);

struct ShardRange {
  int id;
  std::uint64_t begin;  // first sample index
  std::uint64_t end;    // one past the last
};

std::vector<ShardRange> plan_shards(std::uint64_t count, std::uint64_t shard_size);

// kernels-00003.jsonl, kernels-00003.jsonl.zst, or the folder kernels-00003
std::string shard_file_name(int id, ShardFormat format);

// Writes one shard record by record, as the records come, to a temporary name in `dir`; the
// shard appears under its final name only on commit(). One not committed is removed when the
// writer goes (error, exception, a run that stops early). Throws std::runtime_error on an I/O error.
class ShardWriter {
 public:
  ShardWriter(const std::string& dir, int id, ShardFormat format);
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  void add(std::uint64_t index, std::string_view json);  // one record, one line, without the newline
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a committed shard holds, to check it before trusting it: its bytes and their XXH3-64 (hex;
// a folder's files in name order, each name hashed before its contents). nullopt where the shard
// is missing or cannot be read.
struct ShardDigest {
  std::uint64_t bytes = 0;
  std::string xxh3;
};
std::optional<ShardDigest> digest_shard(const std::string& dir, int id, ShardFormat format);

// Removes temporary files and folders that an interrupted run left in `dir`.
void remove_stale_temporaries(const std::string& dir);

// Calls `visit` with each record line of every dataset file in `dir`: kernels.jsonl, shards in any
// form, in name order, read in pieces (memory: the longest line). Returns the number of files read;
// throws on a file that cannot be read or a compressed one cut short (after visiting the lines
// before the cut: callers treat the throw as the end of their work).
int for_each_record(const std::string& dir, const std::function<void(const std::string& file, const std::string& line)>& visit);

}  // namespace warpsynth
