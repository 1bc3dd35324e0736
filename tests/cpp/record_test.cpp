#include "dataset/record.h"

#include <gtest/gtest.h>

using namespace warpsynth;

namespace {

nlohmann::json worker_kernel() {
  return nlohmann::json::parse(R"J({
    "kernel": "add", "line": 4,
    "python": "import warp as wp\n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n",
    "arg_types": [{"name": "a", "type": "array(ndim=1, dtype=float32)"}],
    "builtins": ["tid"], "stubbed_imports": [], "enable_backward": true, "block_dim": 256,
    "cpu": {"forward": "// /x.py:4\nvoid add_0123abcd_cpu_kernel_forward() {}  <L 4>\n",
            "backward": "void add_0123abcd_cpu_kernel_backward() {}\n", "module": "m add_0123abcd\n"},
    "cuda": {"forward": "void add_0123abcd_cuda_kernel_forward() {}\n", "backward": null, "module": "m\n"},
    "names": {"kernel": ["add_0123abcd", "add"], "structs": [], "functions": []}
  })J");
}

}  // namespace

TEST(Record, HasTheDesignFieldsInOrder) {
  auto record = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "examples/add.py"});
  std::vector<std::string> keys;
  for (auto it = record.begin(); it != record.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "origin", "kernel", "python", "cpu", "cuda", "meta", "verify"}));
  EXPECT_EQ(record["origin"], "extracted");
  EXPECT_EQ(record["cpu"]["forward"], "void add_cpu_kernel_forward() {}\n");
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
  auto a = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py"});
  auto b = make_extracted_record(worker_kernel(), {"1.19.0", "9.9.9", "b.py"});
  auto c = make_extracted_record(worker_kernel(), {"1.18.0", "0.1.0", "a.py"});
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_NE(a["id"], c["id"]);
  auto changed = worker_kernel();
  changed["python"] = changed["python"].get<std::string>() + "# another line\n";
  EXPECT_NE(make_extracted_record(changed, {"1.19.0", "0.1.0", "a.py"})["id"], a["id"]);
  // Trailing whitespace is normalized away before hashing.
  auto spaced = worker_kernel();
  spaced["python"] = "import warp as wp   \n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n\n";
  EXPECT_EQ(make_extracted_record(spaced, {"1.19.0", "0.1.0", "a.py"})["id"], a["id"]);
}

TEST(Record, MissingFieldThrows) {
  auto broken = worker_kernel();
  broken.erase("cpu");
  EXPECT_THROW(make_extracted_record(broken, {"1.19.0", "0.1.0", "a.py"}), nlohmann::json::exception);
}

TEST(Record, CountLines) {
  EXPECT_EQ(count_lines(""), 0);
  EXPECT_EQ(count_lines("a"), 1);
  EXPECT_EQ(count_lines("a\n"), 1);
  EXPECT_EQ(count_lines("a\nb"), 2);
}
