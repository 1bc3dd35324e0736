// Warp's value types as data: scalars, vectors, matrices, quaternions, transforms, spatial
// vectors/matrices, arrays of those (1-4 dimensions) and user structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warpsynth::model {

enum class Scalar : std::uint8_t {
  kBool, kInt8, kUInt8, kInt16, kUInt16, kInt32, kUInt32, kInt64, kUInt64, kFloat16, kFloat32, kFloat64,
};

enum class Kind : std::uint8_t {
  kVoid, kScalar, kVector, kMatrix, kQuat, kTransform, kSpatialVector, kSpatialMatrix, kStruct,
  kOpaque,  // a value only builtins make and take (a tile, a mesh or BVH query): struct_id is an Opaque
};

// The opaque values of the API families (never annotated, never arguments of generated code).
enum class Opaque : std::int16_t {
  kTile,           // scalar: dtype; rows, cols: shape (cols 0 for a 1-D tile)
  kMeshQueryPoint, // wp.mesh_query_point(...): result, sign, face, u, v
  kMeshQueryRay,   // wp.mesh_query_ray(...): result, sign, face, t, u, v, normal
  kBvhQuery,       // wp.bvh_query_aabb / bvh_query_ray
  kHashGridQuery,  // wp.hash_grid_query
  kTuple,          // a tuple of ints (a 2-D tile's shape or offset)
};

bool is_float(Scalar s);
bool is_integer(Scalar s);  // bool is neither integer nor float
bool is_signed(Scalar s);
std::string_view scalar_name(Scalar s);  // "float32"

// A value type, or an array of one (array_ndim > 0). Small and compared field by field.
struct Type {
  Kind kind = Kind::kVoid;
  Scalar scalar = Scalar::kFloat32;  // element scalar of composites
  std::uint8_t rows = 0;             // vector length, matrix rows
  std::uint8_t cols = 0;             // matrix columns
  std::uint8_t array_ndim = 0;       // 0: not an array
  std::int16_t struct_id = -1;       // index into the program's structs, for kStruct

  static Type void_type() { return {}; }
  static Type scalar_of(Scalar s) { return {Kind::kScalar, s, 1, 1, 0, -1}; }
  static Type vector_of(int length, Scalar s) { return {Kind::kVector, s, std::uint8_t(length), 1, 0, -1}; }
  static Type matrix_of(int rows, int cols, Scalar s) {
    return {Kind::kMatrix, s, std::uint8_t(rows), std::uint8_t(cols), 0, -1};
  }
  static Type quat_of(Scalar s) { return {Kind::kQuat, s, 4, 1, 0, -1}; }
  static Type transform_of(Scalar s) { return {Kind::kTransform, s, 7, 1, 0, -1}; }
  static Type spatial_vector_of(Scalar s) { return {Kind::kSpatialVector, s, 6, 1, 0, -1}; }
  static Type spatial_matrix_of(Scalar s) { return {Kind::kSpatialMatrix, s, 6, 6, 0, -1}; }
  static Type struct_of(int id) { return {Kind::kStruct, Scalar::kFloat32, 0, 0, 0, std::int16_t(id)}; }
  static Type opaque_of(Opaque what, Scalar s = Scalar::kFloat32, int rows = 0, int cols = 0) {
    return {Kind::kOpaque, s, std::uint8_t(rows), std::uint8_t(cols), 0, std::int16_t(what)};
  }
  bool is_opaque() const { return !is_array() && kind == Kind::kOpaque; }
  bool is_opaque(Opaque what) const { return is_opaque() && struct_id == std::int16_t(what); }
  static Type array_of(Type element, int ndim) {
    element.array_ndim = std::uint8_t(ndim);
    return element;
  }

  bool is_void() const { return kind == Kind::kVoid; }
  bool is_array() const { return array_ndim > 0; }
  bool is_scalar() const { return !is_array() && kind == Kind::kScalar; }
  bool is_bool() const { return is_scalar() && scalar == Scalar::kBool; }
  bool is_int() const { return is_scalar() && is_integer(scalar); }
  bool is_float_scalar() const { return is_scalar() && is_float(scalar); }
  bool is_struct() const { return !is_array() && kind == Kind::kStruct; }
  // Vector-like: indexable by one integer (vectors, quaternions, transforms, spatial vectors).
  bool is_vector_like() const {
    return !is_array() && (kind == Kind::kVector || kind == Kind::kQuat || kind == Kind::kTransform ||
                           kind == Kind::kSpatialVector);
  }
  bool is_matrix_like() const { return !is_array() && (kind == Kind::kMatrix || kind == Kind::kSpatialMatrix); }
  int length() const { return rows; }
  Type element() const {  // of an array
    Type t = *this;
    t.array_ndim = 0;
    return t;
  }
  Type component() const { return scalar_of(scalar); }  // of a vector or matrix

  friend bool operator==(const Type&, const Type&) = default;
};

// Warp's public type names, as the catalog writes them: "float32", "vec3f", "mat33d",
// "quath", "transformf", "spatial_vectorf", "spatial_matrixd". Arrays and structs have none.
std::string warp_name(const Type& t);
std::optional<Type> parse_warp_name(std::string_view name);

// How an array type is written: Warp's subscript form `wp.array[float]`, which most real code uses
// (newton: 2,000 of 2,150 kernels; warp-lang's examples: 84 of 145), or `wp.array(dtype=float)`.
enum class ArraySpelling { kCall, kSubscript };

// How Warp code spells the type in Python (annotations, constructors): "float", "wp.float64",
// "wp.vec3", "wp.vec3d", "wp.mat33", "wp.array(dtype=wp.vec3)" or "wp.array[wp.vec3]",
// "wp.array2d(dtype=float)" or "wp.array2d[float]". Structs need the program's names:
// `struct_name` is used for kStruct.
std::string python_name(const Type& t, std::string_view struct_name = {},
                        ArraySpelling arrays = ArraySpelling::kCall);

}  // namespace warpsynth::model
