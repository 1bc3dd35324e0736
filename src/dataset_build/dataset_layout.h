// What a row of the dataset holds (its flat columns, shared by the Parquet schema, the JSONL rows
// and the card's feature list), and the dataset card.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dataset/record.h"
#include "dataset_build/dataset_options.h"

namespace warpsynth {

struct DatasetColumn {
  const char* name;
  const char* dtype;  // Hugging Face feature types: string | int64 | bool
  const char* description;
};

// Every column, in order.
const std::vector<DatasetColumn>& dataset_columns();

// The row of a record: the columns above, from the record's fields (a missing one is null).
nlohmann::ordered_json dataset_row(const Record& record, const std::string& near_cluster,
                                   std::uint64_t near_cluster_size);

struct CardFacts {
  std::map<std::string, std::uint64_t> split_rows;    // non-empty splits, in split order below
  std::vector<std::string> split_order;
  std::map<std::string, std::uint64_t> split_files;   // files per split
  DatasetFormat format = DatasetFormat::kParquet;
  std::map<std::string, std::string> licenses;        // origin or package -> license
  std::vector<std::string> how_made;                  // one line per input folder
  std::vector<std::string> versions;                  // "warp-lang 1.19.0", ...
  std::vector<std::pair<std::string, std::uint64_t>> removed;  // step -> records removed
  std::vector<std::pair<std::string, std::string>> figures;     // stats: name -> value
  std::string command;                                // the warpsynth dataset command line
};

// README.md with the YAML header the Hugging Face hub reads (configs, splits, features, license).
std::string dataset_card(const CardFacts& facts);

}  // namespace warpsynth
