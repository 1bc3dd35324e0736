#include "dataset/normalize.h"

#include <gtest/gtest.h>

using namespace warpsynth;

namespace {

NameRenames saxpy_renames() {
  return renames_from({"saxpy_34cfbf96", "saxpy"}, {{"Params_42ba4f6f", "Params"}},
                      {{"sq_17", "sq"}, {"sq_3", "sq"}, {"cube_9", "cube"}});
}

}  // namespace

TEST(Normalize, DropsLocationCommentsAndLineTags) {
  std::string code =
      "\n// /home/someone/project/file.py:12\n"
      "static wp::float32 sq_17(\n"
      "    // def sq(x: float):                                                 <L 10>\n"
      "    // adj: return x * x                                              <L 11>\n"
      "    var_0 = wp::mul(var_x, var_x);   \n";
  std::string expected =
      "\n"
      "static wp::float32 sq_0(\n"
      "    // def sq(x: float):\n"
      "    // adj: return x * x\n"
      "    var_0 = wp::mul(var_x, var_x);\n";
  EXPECT_EQ(normalize_generated_code(code, saxpy_renames()), expected);
}

TEST(Normalize, DropsLineDirectives) {
  EXPECT_EQ(normalize_generated_code("#line 5 \"/abs/x.py\"\n  a = 1;\n    #line 6 \"/abs/x.py\"\n", {}),
            "  a = 1;\n");
}

TEST(Normalize, KeepsCommentsThatAreNotLocations) {
  // An indented Python comment ending in digits, and a column-0 comment without a line number.
  std::string code = "    // x = a[i:3]\n// reset shared memory\n// ratio 1:2 for x\n";
  EXPECT_EQ(normalize_generated_code(code, {}), code);
}

TEST(Normalize, RenamesHashedNamesEverywhere) {
  std::string code =
      "struct wp_args_saxpy_34cfbf96 { Params_42ba4f6f p; };\n"
      "void saxpy_34cfbf96_cpu_kernel_forward(Params_42ba4f6f* p);\n";
  EXPECT_EQ(normalize_generated_code(code, saxpy_renames()),
            "struct wp_args_saxpy { Params p; };\n"
            "void saxpy_cpu_kernel_forward(Params* p);\n");
}

TEST(Normalize, RenumbersFunctionsPerKeyAsWholeIdentifiers) {
  std::string code = "sq_17(a); sq_3(b); adj_sq_3(b); replay_cube_9(c); my_sq_17(d); sq_170(e); x = 1e17;\n";
  EXPECT_EQ(normalize_generated_code(code, saxpy_renames()),
            "sq_0(a); sq_1(b); adj_sq_1(b); replay_cube_0(c); my_sq_17(d); sq_170(e); x = 1e17;\n");
}

TEST(Normalize, RenamingIsSimultaneous) {
  // sq_3 -> sq_1 and sq_1 would not be renamed again even if it were in the table.
  auto renames = renames_from({}, {}, {{"f_1", "f"}, {"f_0", "f"}});
  EXPECT_EQ(normalize_generated_code("f_1(); f_0();\n", renames), "f_0(); f_1();\n");
}

TEST(Normalize, AHashedNameInsideAnotherIsRenamedAsItsOwnName) {
  // Longest first (issue 13: removing that order survived the whole suite): replaced first, the
  // shorter name would turn Body_0a1b2c3d_v2 into Body_v2.
  auto renames = renames_from({}, {{"Body_0a1b2c3d", "Body"}, {"Body_0a1b2c3d_v2", "BodyV2"}}, {});
  EXPECT_EQ(normalize_generated_code("Body_0a1b2c3d_v2 a; Body_0a1b2c3d b;\n", renames), "BodyV2 a; Body b;\n");
}

TEST(Normalize, SameKernelFromTwoProcessesGivesSameText) {
  auto first = renames_from({"k_aaaaaaaa", "k"}, {}, {{"g_5", "g"}});
  auto second = renames_from({"k_bbbbbbbb", "k"}, {}, {{"g_912", "g"}});
  EXPECT_EQ(normalize_generated_code("// /a/x.py:3\nvoid k_aaaaaaaa() { g_5(); }  <L 4>\n", first),
            normalize_generated_code("// /b/y.py:9\nvoid k_bbbbbbbb() { g_912(); }  <L 4>\n", second));
}

TEST(Normalize, PythonLineEndingsAndTrailingSpace) {
  EXPECT_EQ(normalize_python("def f():  \r\n    return 1\r\n\n\n"), "def f():\n    return 1\n");
  EXPECT_EQ(normalize_python("x = 1"), "x = 1\n");
  EXPECT_EQ(normalize_python(""), "");
}

namespace {

LineMap two_file_map() {
  LineMap map;
  map.kernel_file = "<warpsynth:k.py>";
  map.ranges = {{"<warpsynth:k.py>", 20, 25, 9}, {"/lib/helpers.py", 3, 5, 2}};
  return map;
}

}  // namespace

TEST(Normalize, RenumbersLineTagsByTheFileOfTheirFunction) {
  // A helper from another file (its location comment says which), then the kernel's own code
  // after the brace that closes the helper; a tag outside the record's Python loses its tag.
  std::string code =
      "// /lib/helpers.py:3\n"
      "static float sq_4(\n"
      "{\n"
      "    // return x * x       <L 4>\n"
      "}\n"
      "// /warp/_src/lib.py:90\n"
      "static float lib_2(\n"
      "{\n"
      "    // return 1.0       <L 91>\n"
      "}\n"
      "void k_cpu_kernel_forward()\n"
      "{\n"
      "    // y[i] = sq(x[i])       <L 22>\n"
      "}\n";
  LineMap lines = two_file_map();
  std::string expected =
      "static float sq_4(\n"
      "{\n"
      "    // return x * x       <L 3>\n"
      "}\n"
      "static float lib_2(\n"
      "{\n"
      "    // return 1.0\n"
      "}\n"
      "void k_cpu_kernel_forward()\n"
      "{\n"
      "    // y[i] = sq(x[i])       <L 11>\n"
      "}\n";
  EXPECT_EQ(normalize_generated_code(code, {}, &lines), expected);
  EXPECT_EQ(lines.map("<warpsynth:k.py>", 19), 0);
  EXPECT_EQ(lines.map("<warpsynth:k.py>", 25), 14);
  EXPECT_EQ(lines.map("/lib/helpers.py", 20), 0);
}

TEST(Normalize, WithoutALineMapTagsAreDropped) {
  EXPECT_EQ(normalize_generated_code("    // a = 1       <L 7>\n", {}), "    // a = 1\n");
}
