// The records of the folders `warpsynth dataset` reads (generate, extract and verify outputs, in
// any shard format), each with what dedup and splitting need taken out once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dataset/record.h"
#include "dataset_build/record_spool.h"

namespace warpsynth {

struct InputRecord {
  SpooledLine line;           // the record as read, in the spool (read and parsed again only when written)
  std::string id;             // of the normalized Python: equal ids are exact duplicates
  Origin origin = Origin::kSynthetic;
  std::string python;
  std::string template_name;  // generated records: meta.generator.template
  std::string source_key;     // extracted records: the distribution and file they come from
  int verified_ok = 0;        // verification levels at "ok" (of exact duplicates, the most verified is kept)
  std::size_t input = 0;      // which folder
};

// Every record of every folder, in the order of the folders and of their files. Throws
// DatasetInputError naming the folder, file and line at fault: a folder missing or holding no
// dataset, a line that is not JSON or not a record. `role` names the folders in messages
// ("input", "holdout"). Each line goes into `spool` when one is given (records to be written);
// without one (a holdout, read for its ids and Python only) the lines are not kept.
std::vector<InputRecord> read_dataset_folders(const std::vector<std::string>& dirs, const std::string& role,
                                              RecordSpool* spool);

}  // namespace warpsynth
