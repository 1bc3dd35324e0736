#include "dataset_build/dataset_inputs.h"

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "dataset/record.h"
#include "dataset/shard_files.h"
#include "dataset_build/dataset_build.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

InputRecord take(const Record& record, SpooledLine line, std::size_t input) {
  InputRecord r;
  r.line = line;
  r.input = input;
  r.id = record.id;
  r.origin = record.origin;
  r.python = record.python;
  if (record.meta.generator) r.template_name = record.meta.generator->template_name;
  // The kernels of one file share a split; a variant joins its parent's file, so that a model is
  // never tested on a variant of what it trained on.
  if (const std::string* file = record.meta.code_file()) {
    const protocol::Provenance* package = record.meta.package();
    r.source_key = (package ? package->distribution : std::string()) + ":" + *file;
  }
  r.verified_ok = record.verify.count_ok();
  return r;
}

}  // namespace

std::vector<InputRecord> read_dataset_folders(const std::vector<std::string>& dirs, const std::string& role,
                                              RecordSpool* spool) {
  std::vector<InputRecord> records;
  for (std::size_t input = 0; input < dirs.size(); ++input) {
    const std::string& dir = dirs[input];
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw DatasetInputError("the " + role + " " + dir + " does not exist");
    if (!fs::is_directory(dir, ec)) throw DatasetInputError("the " + role + " " + dir + " is not a folder");
    std::map<std::string, std::uint64_t> line_numbers;
    int files = 0;
    try {
      files = for_each_record(dir, [&](const std::string& file, const std::string& line) {
        const std::uint64_t number = ++line_numbers[file];
        Record record;
        try {
          record = Record::parse(line);
        } catch (const RecordFormatError& e) {
          const std::string where = file + ":" + std::to_string(number) + ": ";
          if (e.kind == RecordFormatError::Kind::kField) throw DatasetInputError(where + e.what());
          if (e.kind == RecordFormatError::Kind::kNotJson) throw DatasetInputError(where + "not JSON");
          throw DatasetInputError(where + "not a warpsynth record (" + e.what() + ")");
        }
        records.push_back(take(record, spool ? spool->append(line) : SpooledLine{}, input));
      });
    } catch (const DatasetInputError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw DatasetInputError(e.what());
    }
    if (files == 0) {
      throw DatasetInputError("the " + role + " " + dir +
                              " holds no dataset (no kernels.jsonl, no kernels-NNNNN shards): give the folder a "
                              "`warpsynth generate`, `extract` or `verify` wrote");
    }
  }
  return records;
}

}  // namespace warpsynth
