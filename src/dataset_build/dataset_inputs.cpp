#include "dataset_build/dataset_inputs.h"

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "dataset/record_shape.h"
#include "dataset/shard_files.h"
#include "dataset_build/dataset_build.h"
#include "util/json_reader.h"
#include "dataset/verdict.h"

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

std::string string_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return "";
    auto it = at->find(key);
    if (it == at->end()) return "";
    at = &*it;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

InputRecord take(const nlohmann::json& record, SpooledLine line, std::size_t input) {
  InputRecord r;
  r.line = line;
  r.input = input;
  r.id = record["id"].get<std::string>();
  r.origin = string_at(record, {"origin"});
  r.python = record["python"].get<std::string>();
  r.template_name = string_at(record, {"meta", "generator", "template"});
  if (r.origin == "extracted") {
    std::string distribution = string_at(record, {"meta", "source", "package", "distribution"});
    r.source_key = distribution + ":" + string_at(record, {"meta", "source", "file"});
  }
  if (auto verify = record.find("verify"); verify != record.end() && verify->is_object()) {
    for (const auto& [level, verdict] : verify->items()) r.verified_ok += verdict.is_string() && Verdict::parse(verdict.get<std::string>()).is_ok();
  }
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
        auto record = read_json(line);
        if (!record) throw DatasetInputError(file + ":" + std::to_string(number) + ": not JSON");
        if (std::string problem = record_shape_problem(*record); !problem.empty()) {
          throw DatasetInputError(file + ":" + std::to_string(number) + ": not a warpsynth record (" + problem + ")");
        }
        records.push_back(take(*record, spool ? spool->append(line) : SpooledLine{}, input));
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
