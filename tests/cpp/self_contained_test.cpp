// `verify.self_contained` (issue 30): the record's Python, loaded alone, must give the record's code.
// Each test gives the verdict the code of a Python that differs from the record's in one way a
// wrong self-contained Python would (a constant, a helper's body, a struct's field order, a
// backward pass), at another process's names and lines, and asks for the failure at its line.

#include <string>

#include <gtest/gtest.h>

#include "dataset/record.h"

using namespace warpsynth;

namespace {

// A unit as Warp writes it for a kernel that reads a struct and calls a helper: the struct, the
// helper, then the kernel's forward and backward. `hash`, `counter` and `line` are what differs
// between two processes (the kernel's hash, the helper's per-process counter, where the file put
// the code); the rest is the code.
struct Unit {
  std::string struct_fields = "    wp::float32 a;\n    wp::float32 b;\n";
  std::string helper_body = "    var_1 = wp::add(var_v, var_0);\n";
  std::string constant = "3.0";
  bool backward = true;

  std::string module(const std::string& hash, int counter, int line) const {
    const std::string helper = "helper_" + std::to_string(counter);
    return "struct Pair_" + hash + "\n{\n" + struct_fields + "};\n\n" +
           "// " + std::string("/src/") + "mod.py:" + std::to_string(line) + "\n" +
           "static CUDA_CALLABLE wp::float32 " + helper + "(wp::float32 var_v)\n{\n" +
           "    const wp::float32 var_0 = 1.0;\n" + helper_body + "    return var_1;  // <L " +
           std::to_string(line + 2) + ">\n}\n\n" + forward(hash, counter, line) + backward_text(hash, line);
  }
  std::string forward(const std::string& hash, int counter, int line) const {
    return "void scaled_" + hash + "_cpu_kernel_forward(wp::array_t<Pair_" + hash + "> var_p)\n{\n" +
           "    var_2 = wp::mul(var_x, " + constant + ");  // <L " + std::to_string(line + 8) + ">\n" +
           "    var_3 = helper_" + std::to_string(counter) + "(var_2);  // <L " + std::to_string(line + 9) + ">\n}\n\n";
  }
  std::string backward_text(const std::string& hash, int line) const {
    if (!backward) return "";
    return "void scaled_" + hash + "_cpu_kernel_backward(wp::array_t<Pair_" + hash + "> var_p)\n{\n" +
           "    adj_mul(var_x, " + constant + ", adj_2);  // <L " + std::to_string(line + 8) + ">\n}\n";
  }

  // The device's code as the worker sends it: the unit, the kernel's functions as spans of it.
  nlohmann::json target(const std::string& hash, int counter, int line) const {
    const std::string text = module(hash, counter, line);
    const std::string fwd = forward(hash, counter, line), bwd = backward_text(hash, line);
    const std::size_t f = text.find(fwd);
    nlohmann::json backward_span = nullptr;
    if (backward) backward_span = {text.find(bwd), text.find(bwd) + bwd.size()};
    return {{"module", text},
            {"forward", {f, f + fwd.size()}},
            {"backward", backward_span},
            {"names",
             {{"kernel", nlohmann::json::array({"scaled_" + hash, "scaled"})},
              {"structs", nlohmann::json::array({nlohmann::json::array({"Pair_" + hash, "Pair"})})},
              {"functions", nlohmann::json::array({nlohmann::json::array({"helper_" + std::to_string(counter), "helper"})})}}}};
  }
};

// The record's kernel as the worker sends it (the code from its package's file, lines 40..), with
// `check` as its self-contained check, made into a record.
nlohmann::ordered_json record_with_check(const nlohmann::json& check) {
  const Unit original;
  nlohmann::json kernel = {
      {"kernel", "scaled"},
      {"line", 48},
      {"python", "import warp as wp\n# ...\n"},
      {"line_map", {{"kernel_file", "/src/mod.py"}, {"ranges", nlohmann::json::array({nlohmann::json::array({"/src/mod.py", 40, 50, 1})})}}},
      {"arg_types", nlohmann::json::array()},
      {"builtins", nlohmann::json::array()},
      {"stubbed_imports", nlohmann::json::array()},
      {"enable_backward", true},
      {"cuda_arch", 75},
      {"cpu_blocks", false},
      {"cpu", original.target("0123abcd", 0, 40)},
      {"cuda", original.target("0123abcd", 0, 40)},
      {"self_contained", check}};
  return make_extracted_record(protocol::parse_kernel_code(kernel), {"1.19.0", "0.1.0", "mod.py", std::nullopt}).to_json();
}

// The check made on the Python of `alone` (loaded in another module: other hash, counter, lines).
nlohmann::ordered_json record_checked_against(const Unit& alone) {
  return record_with_check(
      {{"cpu", alone.target("89abcdef", 7, 1)},
       {"cuda", alone.target("89abcdef", 7, 1)},
       {"line_map", {{"kernel_file", "/src/mod.py"}, {"ranges", nlohmann::json::array({nlohmann::json::array({"/src/mod.py", 1, 11, 1})})}}}});
}

std::string verdict_for(const Unit& alone) { return record_checked_against(alone)["verify"]["self_contained"]; }

}  // namespace

TEST(SelfContained, TheSameCodeAtOtherNamesAndLinesPasses) { EXPECT_EQ(verdict_for(Unit{}), "ok"); }

TEST(SelfContained, AConstantChangedFailsAtTheForwardsLine) {
  Unit alone;
  alone.constant = "3.5";
  EXPECT_EQ(verdict_for(alone), "failed: cpu forward differs from line 3");
}

TEST(SelfContained, AHelperWithAnotherBodyFailsAtTheModulesLine) {
  Unit alone;
  alone.helper_body = "    var_1 = wp::sub(var_v, var_0);\n";
  EXPECT_EQ(verdict_for(alone), "failed: cpu module differs from line 10");
}

TEST(SelfContained, AStructWithItsFieldsReorderedFails) {
  Unit alone;
  alone.struct_fields = "    wp::float32 b;\n    wp::float32 a;\n";
  EXPECT_EQ(verdict_for(alone), "failed: cpu module differs from line 3");
}

TEST(SelfContained, ABackwardPassMissingFails) {
  Unit alone;
  alone.backward = false;
  EXPECT_EQ(verdict_for(alone), "failed: the Python alone gives no cpu backward code");
}

TEST(SelfContained, APythonThatDoesNotLoadAloneFailsWithItsReason) {
  auto record = record_with_check({{"error", "NameError: name 'helper' is not defined"}});
  EXPECT_EQ(record["verify"]["self_contained"], "failed: NameError: name 'helper' is not defined");
}
