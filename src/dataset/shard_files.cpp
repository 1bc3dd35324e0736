#include "dataset/shard_files.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "util/atomic_file.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

constexpr const char* kTempMarker = ".tmp-";

using LineVisitor = std::function<void(const std::string&, const std::string&)>;

// Cuts text given in pieces into lines and visits each non-empty one as soon as it is whole: a
// file is read in pieces, so the memory it takes is its longest line's, not its size (a whole
// package's kernels.jsonl is hundreds of MB).
class LineSplitter {
 public:
  LineSplitter(const std::string& file, const LineVisitor& visit) : file_(file), visit_(visit) {}
  void feed(const char* data, std::size_t size) {
    const char* end = data + size;
    while (data < end) {
      const char* newline = static_cast<const char*>(std::memchr(data, '\n', static_cast<std::size_t>(end - data)));
      if (!newline) {
        partial_.append(data, end);
        return;
      }
      partial_.append(data, newline);
      if (!partial_.empty()) visit_(file_, partial_);
      partial_.clear();
      data = newline + 1;
    }
  }
  void finish() {  // the last line, without a newline
    if (!partial_.empty()) visit_(file_, partial_);
    partial_.clear();
  }

 private:
  const std::string& file_;
  const LineVisitor& visit_;
  std::string partial_;
};

constexpr std::size_t kReadPiece = 1 << 20;

void visit_plain_file(const fs::path& path, const LineVisitor& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  const std::string file = path.string();
  LineSplitter lines(file, visit);
  std::vector<char> piece(kReadPiece);
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0) {
    lines.feed(piece.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  lines.finish();
}

void visit_zstd_file(const fs::path& path, const LineVisitor& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  const std::string file = path.string();
  LineSplitter lines(file, visit);
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(), ZSTD_freeDStream);
  ZSTD_initDStream(stream.get());
  std::vector<char> compressed(ZSTD_DStreamInSize());
  std::vector<char> buffer(ZSTD_DStreamOutSize());
  size_t last = 0;  // 0 once a frame is complete: otherwise the data ends inside one
  while (in.read(compressed.data(), static_cast<std::streamsize>(compressed.size())) || in.gcount() > 0) {
    ZSTD_inBuffer input{compressed.data(), static_cast<size_t>(in.gcount()), 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{buffer.data(), buffer.size(), 0};
      last = ZSTD_decompressStream(stream.get(), &output, &input);
      if (ZSTD_isError(last)) throw std::runtime_error(path.string() + ": " + ZSTD_getErrorName(last));
      lines.feed(buffer.data(), output.pos);
    }
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  // A shard cut short used to read as the records before the cut, without a word (issue 13).
  if (last != 0) throw std::runtime_error(path.string() + ": the compressed data ends early (truncated)");
  lines.finish();
}

}  // namespace

ShardFormat parse_shard_format(const std::string& name) {
  if (name == "jsonl") return ShardFormat::kJsonl;
  if (name == "jsonl.zst") return ShardFormat::kJsonlZstd;
  if (name == "json") return ShardFormat::kJson;
  throw std::invalid_argument("unknown format '" + name + "' (jsonl, jsonl.zst or json)");
}

std::string shard_format_name(ShardFormat format) {
  switch (format) {
    case ShardFormat::kJsonl: return "jsonl";
    case ShardFormat::kJsonlZstd: return "jsonl.zst";
    case ShardFormat::kJson: return "json";
  }
  return "";
}

std::vector<ShardRange> plan_shards(std::uint64_t count, std::uint64_t shard_size) {
  std::vector<ShardRange> shards;
  for (std::uint64_t begin = 0, id = 0; begin < count; begin += shard_size, ++id) {
    shards.push_back({static_cast<int>(id), begin, std::min(count, begin + shard_size)});
  }
  return shards;
}

std::string shard_file_name(int id, ShardFormat format) {
  std::string base = fmt::format("kernels-{:05d}", id);
  switch (format) {
    case ShardFormat::kJsonl: return base + ".jsonl";
    case ShardFormat::kJsonlZstd: return base + ".jsonl.zst";
    case ShardFormat::kJson: return base;
  }
  return base;
}

struct ShardWriter::Impl {
  ShardFormat format;
  fs::path final_path;
  fs::path temp_folder;              // kJson: one file per record in it
  std::unique_ptr<AtomicFile> file;  // kJsonl, kJsonlZstd
  ZSTD_CCtx* zstd = nullptr;         // kJsonlZstd
  std::vector<char> packed;          // compressed bytes on their way to the file
  bool committed = false;

  // Compresses `input` into the file; `end` closes the zstd frame.
  void compress(std::string_view input, ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{packed.data(), packed.size(), 0};
      size_t remaining = ZSTD_compressStream2(zstd, &out, &in, mode);
      if (ZSTD_isError(remaining)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(remaining));
      file->stream().write(packed.data(), static_cast<std::streamsize>(out.pos));
      bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
      if (done) break;
    }
  }
};

ShardWriter::ShardWriter(const std::string& dir, int id, ShardFormat format) : impl_(std::make_unique<Impl>()) {
  impl_->format = format;
  impl_->final_path = fs::path(dir) / shard_file_name(id, format);
  if (format == ShardFormat::kJson) {
    impl_->temp_folder = impl_->final_path.string() + kTempMarker + std::to_string(::getpid());
    fs::remove_all(impl_->temp_folder);
    fs::create_directories(impl_->temp_folder);
    return;
  }
  impl_->file = std::make_unique<AtomicFile>(impl_->final_path.string());
  if (format == ShardFormat::kJsonlZstd) {
    impl_->zstd = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(impl_->zstd, ZSTD_c_compressionLevel, 3);
    impl_->packed.resize(ZSTD_CStreamOutSize());
  }
}

ShardWriter::~ShardWriter() {
  if (impl_->zstd) ZSTD_freeCCtx(impl_->zstd);
  if (!impl_->committed && !impl_->temp_folder.empty()) {
    std::error_code ec;
    fs::remove_all(impl_->temp_folder, ec);
  }
  // An uncommitted AtomicFile removes its temporary file itself.
}

void ShardWriter::add(std::uint64_t index, std::string_view json) {
  if (impl_->format == ShardFormat::kJson) {
    fs::path path = impl_->temp_folder / fmt::format("sample-{:09d}.json", index);
    std::ofstream out(path, std::ios::binary);
    out << json << '\n';
    if (!out) throw std::runtime_error("cannot write " + path.string());
    return;
  }
  if (impl_->format == ShardFormat::kJsonlZstd) {
    impl_->compress(json, ZSTD_e_continue);
    impl_->compress("\n", ZSTD_e_continue);
    return;
  }
  impl_->file->stream() << json << '\n';
}

void ShardWriter::commit() {
  if (impl_->format == ShardFormat::kJson) {
    fs::remove_all(impl_->final_path);
    fs::rename(impl_->temp_folder, impl_->final_path);
  } else {
    if (impl_->zstd) impl_->compress({}, ZSTD_e_end);
    impl_->file->commit();
  }
  impl_->committed = true;
}

void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().find(kTempMarker) != std::string::npos) fs::remove_all(entry.path(), ec);
  }
}

int for_each_record(const std::string& dir, const std::function<void(const std::string&, const std::string&)>& visit) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("kernels", 0) != 0 || name.find(kTempMarker) != std::string::npos) continue;
    if (entry.is_directory() || name.ends_with(".jsonl") || name.ends_with(".jsonl.zst")) files.push_back(entry.path());
  }
  if (ec) throw std::runtime_error("cannot read folder " + dir);
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    if (fs::is_directory(path)) {
      std::vector<fs::path> samples;
      for (const auto& entry : fs::directory_iterator(path)) samples.push_back(entry.path());
      std::sort(samples.begin(), samples.end());
      for (const auto& sample : samples) visit_plain_file(sample, visit);
    } else if (path.string().ends_with(".zst")) {
      visit_zstd_file(path, visit);
    } else {
      visit_plain_file(path, visit);
    }
  }
  return static_cast<int>(files.size());
}

std::optional<ShardDigest> digest_shard(const std::string& dir, int id, ShardFormat format) {
  const fs::path path = fs::path(dir) / shard_file_name(id, format);
  std::error_code ec;
  std::vector<fs::path> files;
  if (format == ShardFormat::kJson) {
    if (!fs::is_directory(path, ec)) return std::nullopt;
    for (const auto& entry : fs::directory_iterator(path, ec)) files.push_back(entry.path());
    if (ec) return std::nullopt;
    std::sort(files.begin(), files.end());
  } else {
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    files.push_back(path);
  }
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  ShardDigest digest;
  std::vector<char> buffer(1 << 16);
  bool readable = true;
  for (const auto& file : files) {
    if (format == ShardFormat::kJson) {
      const std::string name = file.filename().string();
      XXH3_64bits_update(state, name.data(), name.size() + 1);  // with its terminating zero
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      readable = false;
      break;
    }
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
      XXH3_64bits_update(state, buffer.data(), static_cast<size_t>(in.gcount()));
      digest.bytes += static_cast<std::uint64_t>(in.gcount());
    }
  }
  digest.xxh3 = fmt::format("{:016x}", XXH3_64bits_digest(state));
  XXH3_freeState(state);
  if (!readable) return std::nullopt;
  return digest;
}

}  // namespace warpsynth
