#include "model/type.h"

#include <gtest/gtest.h>

using namespace warpsynth::model;

TEST(Type, WarpNamesRoundTrip) {
  for (const char* name : {"float32", "float16", "float64", "int8", "uint64", "bool", "vec3f", "vec2d", "vec4h",
                           "vec3i", "vec2ub", "vec4ul", "mat22f", "mat33d", "mat44h", "quatf", "quatd",
                           "transformf", "transformh", "spatial_vectorf", "spatial_matrixd"}) {
    auto t = parse_warp_name(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(warp_name(*t), name);
  }
  for (const char* bad : {"vec5f", "mat23f", "quati", "bfloat16", "vec3bf16", "array", "", "mat33i"}) {
    EXPECT_FALSE(parse_warp_name(bad)) << bad;
  }
}

TEST(Type, PythonSpelling) {
  EXPECT_EQ(python_name(Type::scalar_of(Scalar::kFloat32)), "float");
  EXPECT_EQ(python_name(Type::scalar_of(Scalar::kInt32)), "int");
  EXPECT_EQ(python_name(Type::scalar_of(Scalar::kFloat64)), "wp.float64");
  EXPECT_EQ(python_name(Type::vector_of(3, Scalar::kFloat32)), "wp.vec3");
  EXPECT_EQ(python_name(Type::vector_of(3, Scalar::kFloat64)), "wp.vec3d");
  EXPECT_EQ(python_name(Type::vector_of(2, Scalar::kInt32)), "wp.vec2i");
  EXPECT_EQ(python_name(Type::matrix_of(3, 3, Scalar::kFloat32)), "wp.mat33");
  EXPECT_EQ(python_name(Type::quat_of(Scalar::kFloat32)), "wp.quat");
  EXPECT_EQ(python_name(Type::transform_of(Scalar::kFloat64)), "wp.transformd");
  EXPECT_EQ(python_name(Type::spatial_vector_of(Scalar::kFloat32)), "wp.spatial_vector");
  EXPECT_EQ(python_name(Type::array_of(Type::vector_of(3, Scalar::kFloat32), 1)), "wp.array(dtype=wp.vec3)");
  EXPECT_EQ(python_name(Type::array_of(Type::scalar_of(Scalar::kFloat32), 2)), "wp.array2d(dtype=float)");
  EXPECT_EQ(python_name(Type::struct_of(0), "Params"), "Params");
}

TEST(Type, Predicates) {
  Type m = Type::matrix_of(3, 3, Scalar::kFloat32);
  EXPECT_TRUE(m.is_matrix_like());
  EXPECT_EQ(m.component(), Type::scalar_of(Scalar::kFloat32));
  Type a = Type::array_of(m, 2);
  EXPECT_TRUE(a.is_array());
  EXPECT_FALSE(a.is_matrix_like());
  EXPECT_EQ(a.element(), m);
  EXPECT_TRUE(Type::quat_of(Scalar::kFloat64).is_vector_like());
  EXPECT_TRUE(Type::scalar_of(Scalar::kUInt8).is_int());
  EXPECT_FALSE(Type::scalar_of(Scalar::kBool).is_int());
}
