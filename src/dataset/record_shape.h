// Whether a JSON object has the shape of a warpsynth record (docs/dataset.md): the fields every
// record has, each of its type. Readers check it before reading a record, so that a stray file
// (`{"a": 1}`) or a field of the wrong type is reported with its file and line, not counted, nor
// turned into a raw JSON type error (issue 13).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace warpsynth {

// "" for a record of the right shape, else the first problem ("no field 'python'", "field 'cpu'
// is a string, not an object").
std::string record_shape_problem(const nlohmann::json& record);

}  // namespace warpsynth
