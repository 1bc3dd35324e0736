#include "dataset/record_shape.h"

#include <utility>

namespace warpsynth {

std::string record_shape_problem(const nlohmann::json& record) {
  if (!record.is_object()) return std::string("a JSON ") + record.type_name() + ", not an object";
  using Kind = nlohmann::json::value_t;
  static const std::pair<const char*, Kind> kFields[] = {
      {"schema_version", Kind::number_unsigned}, {"id", Kind::string},     {"origin", Kind::string},
      {"kernel", Kind::string},                  {"python", Kind::string}, {"cpu", Kind::object},
      {"cuda", Kind::object},                    {"meta", Kind::object},   {"verify", Kind::object},
  };
  for (const auto& [name, kind] : kFields) {
    auto it = record.find(name);
    if (it == record.end()) return std::string("no field '") + name + "'";
    const bool fits = kind == Kind::number_unsigned ? it->is_number_integer() : it->type() == kind;
    if (!fits) {
      const char* wanted = kind == Kind::number_unsigned ? "an integer" : kind == Kind::string ? "a string" : "an object";
      return std::string("field '") + name + "' is " + (it->is_null() ? "null" : std::string("a ") + it->type_name()) +
             ", not " + wanted;
    }
  }
  return "";
}

}  // namespace warpsynth
