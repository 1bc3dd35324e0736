#include "driver/protocol.h"

#include <gtest/gtest.h>

using namespace warpsynth::protocol;

TEST(Protocol, ExtractRequestIsOneJsonLineWithVersion) {
  std::string line = extract_request(7, "/tmp/a b.py", "x/a b.py");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto message = nlohmann::json::parse(line);
  EXPECT_EQ(message["protocol"], kProtocolVersion);
  EXPECT_EQ(message["id"], 7);
  EXPECT_EQ(message["op"], "extract");
  EXPECT_EQ(message["path"], "/tmp/a b.py");
  EXPECT_EQ(message["label"], "x/a b.py");
}

TEST(Protocol, ParsesReady) {
  auto ready = parse_ready(R"({"protocol":1,"op":"ready","warp_version":"1.19.0","pinned_warp_version":"1.19.0","worker_version":"0.1.0","pid":3})");
  EXPECT_EQ(ready.warp_version, "1.19.0");
  EXPECT_EQ(ready.worker_version, "0.1.0");
}

TEST(Protocol, ParsesOkAndErrorReplies) {
  Reply ok = parse_reply(R"({"protocol":1,"id":3,"ok":true,"result":{"kernels":[]}})");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.id, 3);
  EXPECT_TRUE(ok.result.contains("kernels"));
  Reply bad = parse_reply(R"({"protocol":1,"id":4,"ok":false,"error":"ValueError: x"})");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error, "ValueError: x");
  EXPECT_TRUE(ok.restart.empty());
}

TEST(Protocol, ReadsWhatARequestLeftChangedInTheWorker) {
  Reply changed = parse_reply(R"({"protocol":1,"id":5,"ok":true,"result":{},"restart":["warp.vec3","os.chdir"]})");
  EXPECT_EQ(changed.restart, (std::vector<std::string>{"warp.vec3", "os.chdir"}));
  EXPECT_EQ(parse_reply(R"({"protocol":1,"id":5,"ok":true,"result":{},"restart":[]})").restart.size(), 1u);
  EXPECT_THROW(parse_reply(R"({"protocol":1,"id":5,"ok":true,"result":{},"restart":"yes"})"), ProtocolError);
  EXPECT_THROW(parse_reply(R"({"protocol":1,"id":5,"ok":true,"result":{},"restart":[3]})"), ProtocolError);
}

TEST(Protocol, RejectsGarbage) {
  EXPECT_THROW(parse_reply("Warp 1.19.0 initialized"), ProtocolError);
  EXPECT_THROW(parse_reply("[1,2]"), ProtocolError);
  EXPECT_THROW(parse_reply(R"({"id":1,"ok":true,"result":{}})"), ProtocolError);               // no version
  EXPECT_THROW(parse_reply(R"({"protocol":99,"id":1,"ok":true,"result":{}})"), ProtocolError);  // wrong version
  EXPECT_THROW(parse_reply(R"({"protocol":1,"ok":true,"result":{}})"), ProtocolError);          // no id
  EXPECT_THROW(parse_reply(R"({"protocol":1,"id":1,"ok":true})"), ProtocolError);               // no result
  EXPECT_THROW(parse_reply(R"({"protocol":1,"id":1,"ok":false})"), ProtocolError);              // no error
  EXPECT_THROW(parse_ready(R"({"protocol":1,"id":1,"ok":true,"result":{}})"), ProtocolError);   // not ready
  EXPECT_THROW(parse_ready(R"({"protocol":1,"op":3})"), ProtocolError);  // fuzz_protocol: was nlohmann's type_error
  EXPECT_THROW(parse_ready(R"({"protocol":1,"op":["ready"]})"), ProtocolError);
}

TEST(Protocol, CatalogAndCodegenRequests) {
  auto catalog = nlohmann::json::parse(catalog_request(3));
  EXPECT_EQ(catalog["op"], "catalog");
  EXPECT_EQ(catalog["id"], 3);
  auto batch = nlohmann::json::parse(codegen_sources_request(4, {{"k0", "import warp as wp\n"}, {"k1", "x = 1\n"}}));
  EXPECT_EQ(batch["op"], "codegen_sources");
  ASSERT_EQ(batch["items"].size(), 2u);
  EXPECT_EQ(batch["items"][1]["label"], "k1");
  EXPECT_EQ(batch["items"][0]["source"], "import warp as wp\n");
}
