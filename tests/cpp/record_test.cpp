#include "dataset/record.h"
#include "dataset/preambles.h"

#include <gtest/gtest.h>

using namespace warpsynth;

namespace {

nlohmann::json worker_kernel_json() {
  return nlohmann::json::parse(R"J({
    "kernel": "add", "line": 4,
    "python": "import warp as wp\n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n",
    "line_map": {"kernel_file": "/x.py", "ranges": [["/x.py", 10, 12, 3]]},
    "arg_types": [{"name": "a", "type": "array(ndim=1, dtype=float32)"}],
    "builtins": ["tid"], "stubbed_imports": [], "enable_backward": true, "cuda_arch": 75, "cpu_blocks": false,
    "cpu": {"forward": "// /x.py:4\nvoid add_0123abcd_cpu_kernel_forward() {}  <L 11>\n",
            "backward": "void add_0123abcd_cpu_kernel_backward() {}\n", "module": "m add_0123abcd\n",
            "preamble": "#define WP_TILE_BLOCK_DIM 1\n", "block_dim": 1,
            "names": {"kernel": ["add_0123abcd", "add"], "structs": [], "functions": []}},
    "cuda": {"forward": "void add_4567abcd_cuda_kernel_forward() {}\n", "backward": null, "module": "m\n",
             "preamble": "#define WP_TILE_BLOCK_DIM 256\n", "block_dim": 256,
             "names": {"kernel": ["add_4567abcd", "add"], "structs": [], "functions": []}}
  })J");
}

protocol::KernelCode worker_kernel() { return protocol::parse_kernel_code(worker_kernel_json()); }
protocol::KernelCode parsed(const nlohmann::json& kernel) { return protocol::parse_kernel_code(kernel); }

}  // namespace

TEST(Record, HasTheDesignFieldsInOrder) {
  auto record = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "examples/add.py", std::nullopt});
  std::vector<std::string> keys;
  for (auto it = record.begin(); it != record.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"schema_version", "id", "origin", "kernel", "python", "cpu", "cuda",
                                             "meta", "verify"}));
  EXPECT_EQ(record["schema_version"], kSchemaVersion);
  EXPECT_EQ(record["origin"], "extracted");
  // The hash of each device's kernel name goes; line 11 of /x.py is line 4 of the record's Python.
  EXPECT_EQ(record["cpu"]["forward"], "void add_cpu_kernel_forward() {}  <L 4>\n");
  EXPECT_EQ(record["cuda"]["forward"], "void add_cuda_kernel_forward() {}\n");
  EXPECT_EQ(record["meta"]["block_dim"], (nlohmann::ordered_json{{"cpu", 1}, {"cuda", 256}}));
  EXPECT_EQ(record["meta"]["cuda_arch"], 75);
  auto preambles = record_preambles(worker_kernel());
  ASSERT_EQ(preambles.size(), 2u);
  EXPECT_EQ(record["meta"]["preamble"]["cpu"], preambles[0].name);
  EXPECT_EQ(preambles[0].text, "#define WP_TILE_BLOCK_DIM 1\n");
  EXPECT_EQ(preambles[1].name.substr(0, 14), "cuda-block256-");
  EXPECT_EQ(record["cpu"]["module"], "m add\n");
  EXPECT_TRUE(record["cuda"]["backward"].is_null());
  EXPECT_EQ(record["meta"]["source"]["file"], "examples/add.py");
  EXPECT_EQ(record["meta"]["source"]["line"], 4);
  EXPECT_EQ(record["meta"]["lines"]["python"], 5);
  EXPECT_EQ(record["meta"]["lines"]["cuda_backward"], 0);
  EXPECT_EQ(record["verify"]["codegen"], "ok");
  EXPECT_EQ(record["id"].get<std::string>().size(), 32u);
}

TEST(Record, IdDependsOnPythonAndWarpVersionOnly) {
  auto a = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", std::nullopt});
  auto b = make_extracted_record(worker_kernel(), {"1.19.0", "9.9.9", "b.py", std::nullopt});
  auto c = make_extracted_record(worker_kernel(), {"1.18.0", "0.1.0", "a.py", std::nullopt});
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_NE(a["id"], c["id"]);
  auto changed = worker_kernel_json();
  changed["python"] = changed["python"].get<std::string>() + "# another line\n";
  EXPECT_NE(make_extracted_record(parsed(changed), {"1.19.0", "0.1.0", "a.py", std::nullopt})["id"], a["id"]);
  // Trailing whitespace is normalized away before hashing.
  auto spaced = worker_kernel_json();
  spaced["python"] = "import warp as wp   \n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n\n";
  EXPECT_EQ(make_extracted_record(parsed(spaced), {"1.19.0", "0.1.0", "a.py", std::nullopt})["id"], a["id"]);
}

TEST(Record, MissingFieldThrows) {
  auto broken = worker_kernel_json();
  broken.erase("cpu");
  EXPECT_THROW(parsed(broken), protocol::ProtocolError);
}

TEST(Record, CountLines) {
  EXPECT_EQ(count_lines(""), 0);
  EXPECT_EQ(count_lines("a"), 1);
  EXPECT_EQ(count_lines("a\n"), 1);
  EXPECT_EQ(count_lines("a\nb"), 2);
}
