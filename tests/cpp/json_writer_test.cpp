#include "util/json_writer.h"

#include <gtest/gtest.h>

#include <random>

using namespace warpsynth;

namespace {

std::string nlohmann_line(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

TEST(JsonWriter, WritesWhatNlohmannWrites) {
  nlohmann::ordered_json record;
  record["id"] = "0123abcd";
  record["python"] = "@wp.kernel\ndef k(a: wp.array(dtype=float)):\n\ta[0] = 1.0  # \"quoted\" \\ back\r\n";
  record["cpu"] = {{"forward", "void f() {\n    x = \"\\n\";\n}\n"}, {"backward", nullptr}};
  record["meta"] = {
      {"seed", 18446744073709551615ull}, {"index", -3}, {"ratio", 0.1}, {"ok", true}, {"dims", {1, 2, 3}}};
  record["empty"] = nlohmann::ordered_json::object();
  record["none"] = nlohmann::ordered_json::array();
  record["unicode"] = "caf\xc3\xa9 \xe2\x98\x83";
  record["invalid"] = "bad \xff\xfe byte";
  record["\x01key\x1f"] = "\x7f\x08\x0c";
  EXPECT_EQ(json_line(record), nlohmann_line(record));
}

TEST(JsonWriter, EveryByteEscapesAsNlohmannEscapesIt) {
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    int length = static_cast<int>(rng() % 64);
    for (int i = 0; i < length; ++i) text.push_back(static_cast<char>(round < 100 ? rng() % 128 : rng() % 256));
    nlohmann::ordered_json value = {{"text", text}, {text, 1}};
    EXPECT_EQ(json_line(value), nlohmann_line(value)) << round;
  }
}
