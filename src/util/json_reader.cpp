#include "util/json_reader.h"

#include <simdjson.h>

#include <stdexcept>

namespace warpsynth {
namespace {

// The element's value as T; its type was checked, so this does not fail.
template <class T>
T as(simdjson::dom::element element) {
  T value{};
  if (element.get(value) != simdjson::SUCCESS) throw std::logic_error("simdjson: element of unexpected type");
  return value;
}

template <class Json>
Json convert(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      Json object = Json::object();
      for (simdjson::dom::key_value_pair field : as<simdjson::dom::object>(element))
        object[std::string(field.key)] = convert<Json>(field.value);
      return object;
    }
    case simdjson::dom::element_type::ARRAY: {
      Json array = Json::array();
      for (simdjson::dom::element item : as<simdjson::dom::array>(element)) array.push_back(convert<Json>(item));
      return array;
    }
    case simdjson::dom::element_type::STRING: return std::string(as<std::string_view>(element));
    case simdjson::dom::element_type::INT64: {
      auto value = as<std::int64_t>(element);
      if (value >= 0) return static_cast<std::uint64_t>(value);
      return value;
    }
    case simdjson::dom::element_type::UINT64: return as<std::uint64_t>(element);
    case simdjson::dom::element_type::DOUBLE: return as<double>(element);
    case simdjson::dom::element_type::BOOL: return as<bool>(element);
    case simdjson::dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

template <class Json>
std::optional<Json> read(std::string_view text) {
  // One parser per thread: it keeps its buffers between calls (each worker thread reads replies).
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error == simdjson::NUMBER_ERROR || error == simdjson::NUMBER_OUT_OF_RANGE) {
    // A number simdjson does not take, as an integer beyond 64 bits (Python writes 2**70 as its
    // digits): it refuses the whole text, nlohmann reads it as a double. Rare enough to take
    // nlohmann's slower path (found by fuzz/fuzz_json_reader.cpp). nlohmann stops at a NUL byte,
    // so a text holding one is not JSON here.
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::nullopt;
    return value;
  }
  if (error != simdjson::SUCCESS) return std::nullopt;
  return convert<Json>(root);
}

}  // namespace

std::optional<nlohmann::json> read_json(std::string_view text) { return read<nlohmann::json>(text); }

std::optional<nlohmann::ordered_json> read_ordered_json(std::string_view text) {
  return read<nlohmann::ordered_json>(text);
}

}  // namespace warpsynth
