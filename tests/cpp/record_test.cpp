#include "dataset/record.h"
#include "dataset/preambles.h"

#include <xxhash.h>

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
  auto record = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "examples/add.py", std::nullopt}).to_json();
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
  auto a = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", std::nullopt}).to_json();
  auto b = make_extracted_record(worker_kernel(), {"1.19.0", "9.9.9", "b.py", std::nullopt}).to_json();
  auto c = make_extracted_record(worker_kernel(), {"1.18.0", "0.1.0", "a.py", std::nullopt}).to_json();
  EXPECT_EQ(a["id"], b["id"]);
  EXPECT_NE(a["id"], c["id"]);
  auto changed = worker_kernel_json();
  changed["python"] = changed["python"].get<std::string>() + "# another line\n";
  EXPECT_NE(make_extracted_record(parsed(changed), {"1.19.0", "0.1.0", "a.py", std::nullopt}).to_json()["id"], a["id"]);
  // Trailing whitespace is normalized away before hashing.
  auto spaced = worker_kernel_json();
  spaced["python"] = "import warp as wp   \n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n\n";
  EXPECT_EQ(make_extracted_record(parsed(spaced), {"1.19.0", "0.1.0", "a.py", std::nullopt}).to_json()["id"], a["id"]);
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

namespace {

// A generated record with every optional part: a tiled launch with a host object, array shapes
// out of alphabetical order, features, a verification at run and grad, an opt level.
Record synthetic_record() {
  SyntheticInfo info;
  info.python = "import warp as wp\n\n@wp.kernel\ndef add(a: wp.array(dtype=float)):\n    a[wp.tid()] += 1.0\n";
  info.run_seed = 7;
  info.index = 3;
  info.sample_seed = 0x8d4c451a0037ed71ull;
  info.template_name = "map";
  info.config_hash = "bdd6a44aedeba9cd";
  info.features = {{"add", "tid"}, {"array1d", "float32"}, {"array_store"}};
  info.launch_dims = {64};
  info.array_shapes = {{"samples", {64}}, {"bins", {16}}};
  info.launch = {256, {{"mesh", "wp.Mesh"}}};
  Record record = make_synthetic_record(worker_kernel(), info, {"1.19.0", "0.1.0", "", std::nullopt});
  record.verify.set("cpu_run", Verdict::ok());
  record.verify.set("grad_check", Verdict::skipped("no floating outputs"));
  record.verify.run = nlohmann::ordered_json{{"seed", 5}, {"checksum", "ab"}};
  record.verify.grad = nlohmann::ordered_json{{"inputs", {"a"}}};
  record.meta.opt_level = 1;
  return record;
}

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

RecordFormatError::Kind kind_of_error(const std::string& line, std::string* message = nullptr) {
  try {
    Record::parse(line);
  } catch (const RecordFormatError& e) {
    if (message) *message = e.what();
    return e.kind;
  }
  ADD_FAILURE() << "no error for " << line;
  return RecordFormatError::Kind::kNotJson;
}

}  // namespace

TEST(Record, ReadAndWrittenAgainIsTheSameLine) {
  for (const Record& record : {synthetic_record(), make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", protocol::Provenance{"warp-lang", "1.19.0", "Apache-2.0", "warp/a.py"}})}) {
    const std::string line = record.to_line();
    EXPECT_EQ(Record::parse(line).to_line(), line);
  }
}

TEST(Record, MetaFieldsKeepTheirOrder) {
  const nlohmann::ordered_json j = synthetic_record().to_json();
  EXPECT_EQ(keys_of(j["meta"]),
            (std::vector<std::string>{"warp_version", "warpsynth_version", "generator", "arg_types", "launch_dims",
                                      "array_shapes", "launch", "enable_backward", "block_dim", "cpu_blocks",
                                      "cuda_arch", "preamble", "features", "quality", "lines", "opt_level"}));
  EXPECT_EQ(keys_of(j["meta"]["array_shapes"]), (std::vector<std::string>{"samples", "bins"}));
  EXPECT_EQ(j["meta"]["launch"].dump(), R"({"function":"wp.launch_tiled","block_dim":256,"host_objects":{"mesh":"wp.Mesh"}})");
  EXPECT_EQ(keys_of(j["verify"]), (std::vector<std::string>{"codegen", "cpu_compile", "cpu_run", "grad_check", "cuda_ptx",
                                                             "gpu_run", "self_contained", "run", "grad"}));
  EXPECT_EQ(j["verify"]["grad_check"], "skipped: no floating outputs");
  const nlohmann::ordered_json extracted = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", std::nullopt}).to_json();
  EXPECT_EQ(keys_of(extracted["meta"]),
            (std::vector<std::string>{"warp_version", "warpsynth_version", "source", "arg_types", "launch_dims",
                                      "enable_backward", "block_dim", "cpu_blocks", "cuda_arch", "preamble", "builtins",
                                      "stubbed_imports", "quality", "lines"}));
  EXPECT_TRUE(extracted["meta"]["launch_dims"].is_null());
  EXPECT_TRUE(extracted["meta"]["source"]["package"].is_null());
}

TEST(Record, WhatIsNotARecordIsNamed) {
  std::string message;
  EXPECT_EQ(kind_of_error("{\"id\": ", &message), RecordFormatError::Kind::kNotJson);
  EXPECT_EQ(kind_of_error(R"({"a": 1})", &message), RecordFormatError::Kind::kShape);
  EXPECT_EQ(message, "no field 'schema_version'");
  nlohmann::ordered_json j = synthetic_record().to_json();
  j["meta"]["features"] = "x";
  EXPECT_EQ(kind_of_error(j.dump(), &message), RecordFormatError::Kind::kField);
  EXPECT_EQ(message, "a field of the wrong type: meta.features is a string, not an object");
  j = synthetic_record().to_json();
  j["meta"]["cuda_arch"] = "75";
  EXPECT_EQ(kind_of_error(j.dump(), &message), RecordFormatError::Kind::kField);
  EXPECT_EQ(message, "a field of the wrong type: meta.cuda_arch is a string, not an integer");
  j = synthetic_record().to_json();
  j["meta"]["colour"] = "red";
  EXPECT_EQ(kind_of_error(j.dump(), &message), RecordFormatError::Kind::kField);
  EXPECT_EQ(message, "a field no record has: meta.colour");
  j = synthetic_record().to_json();
  j["meta"].erase("lines");
  kind_of_error(j.dump(), &message);
  EXPECT_EQ(message, "a field missing: meta.lines");
  j = synthetic_record().to_json();
  j["verify"]["cpu_run"] = 1;
  kind_of_error(j.dump(), &message);
  EXPECT_EQ(message, "a field of the wrong type: verify.cpu_run is a number, not a verdict");
  j = synthetic_record().to_json();
  j["meta"]["quality"]["calls"]["tid"] = -1;
  kind_of_error(j.dump(), &message);
  EXPECT_EQ(message, "a field of the wrong type: meta.quality.calls.tid is not a count");
  j = synthetic_record().to_json();
  j["origin"] = "dreamt";
  EXPECT_EQ(kind_of_error(j.dump(), &message), RecordFormatError::Kind::kShape);
}

TEST(Record, RunPlanReplaysTheGeneratedLaunch) {
  const protocol::RunPlan plan = run_plan_of(synthetic_record(), true, 2);
  EXPECT_EQ(plan.kernel, "add");
  EXPECT_EQ(plan.dims->dump(), "[64]");
  EXPECT_EQ(plan.array_shapes.dump(), R"({"bins":[16],"samples":[64]})");
  EXPECT_EQ(plan.host_objects.dump(), R"({"mesh":"wp.Mesh"})");
  EXPECT_EQ(plan.block_dim, 256);
  EXPECT_EQ(plan.seed, protocol::run_input_seed(0x8d4c451a0037ed71ull, 3));
  EXPECT_TRUE(plan.grad);
  EXPECT_EQ(plan.opt_level, 2);
  const Record extracted = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", std::nullopt});
  const protocol::RunPlan guessed = run_plan_of(extracted, false, -1);
  ASSERT_TRUE(guessed.dims.has_value());  // null: the worker guesses a launch from wp.tid()
  EXPECT_TRUE(guessed.dims->is_null());
  EXPECT_TRUE(guessed.to_json().contains("dims"));
  EXPECT_EQ(guessed.block_dim, 0);
  EXPECT_EQ(guessed.seed, protocol::run_input_seed(XXH3_64bits(extracted.id.data(), extracted.id.size()), 0));
}

TEST(Record, LicenseAndDisplayName) {
  EXPECT_EQ(synthetic_record().display_name(), "map");
  EXPECT_EQ(synthetic_record().license_key(), "synthetic");
  const Record bare = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", std::nullopt});
  EXPECT_EQ(bare.display_name(), "add");
  EXPECT_EQ(bare.license_key(), "extracted: files of no installed distribution");
  EXPECT_EQ(bare.license_text(), "unknown: the license of the code extracted");
  const Record shipped = make_extracted_record(worker_kernel(), {"1.19.0", "0.1.0", "a.py", protocol::Provenance{"newton", "1.0", "Apache-2.0", "newton/a.py"}});
  EXPECT_EQ(shipped.license_key(), "extracted: newton");
  EXPECT_EQ(shipped.license_text(), "Apache-2.0");
}
