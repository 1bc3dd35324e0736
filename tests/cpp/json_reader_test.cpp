#include "util/json_reader.h"

#include <gtest/gtest.h>

using namespace warpsynth;

TEST(JsonReader, GivesWhatNlohmannGives) {
  const char* documents[] = {
      R"({"protocol":1,"id":7,"ok":true,"result":{"items":[{"kernels":[],"errors":[]}]}})",
      R"({"text":"line\nnext\t\"quoted\" \\ \u00e9 \u2603 \ud83d\ude00","empty":"","nested":[[],[{}],[1,[2,[3]]]]})",
      R"({"negative":-3,"zero":0,"big":18446744073709551615,"int64_min":-9223372036854775808,"pi":3.141592653589793,"exp":1e-7})",
      R"([true,false,null,"a",1.5,-0.0])",
      R"("just a string")",
      R"({"beyond_64_bits":1180591620717411303424,"negative":-99999999999999999999})",  // fuzz_json_reader
  };
  for (const char* text : documents) {
    auto ours = read_json(text);
    ASSERT_TRUE(ours.has_value()) << text;
    nlohmann::json theirs = nlohmann::json::parse(text);
    EXPECT_EQ(*ours, theirs) << text;
    EXPECT_EQ(ours->dump(), theirs.dump()) << text;
  }
  // Same number kinds as nlohmann: unsigned for non-negative integers.
  EXPECT_TRUE((*read_json(R"({"n":5})"))["n"].is_number_unsigned());
  EXPECT_TRUE((*read_json(R"({"n":-5})"))["n"].is_number_integer());
}

TEST(JsonReader, RejectsWhatIsNotJson) {
  for (const char* text :
       {"", "Module sample load on device 'cpu' took 1.0 ms", "{\"a\":", "{\"a\":1}}", "[1,]", "{'a':1}"}) {
    EXPECT_FALSE(read_json(text).has_value()) << text;
  }
}
