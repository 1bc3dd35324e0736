#include "model/type.h"

#include <array>
#include <charconv>

namespace warpsynth::model {
namespace {

struct ScalarInfo {
  Scalar scalar;
  std::string_view name;
  std::string_view suffix;  // of vector/matrix names: vec3f, vec3ub, ...
};

constexpr std::array<ScalarInfo, 12> kScalars = {{
    {Scalar::kBool, "bool", ""},
    {Scalar::kInt8, "int8", "b"},
    {Scalar::kUInt8, "uint8", "ub"},
    {Scalar::kInt16, "int16", "s"},
    {Scalar::kUInt16, "uint16", "us"},
    {Scalar::kInt32, "int32", "i"},
    {Scalar::kUInt32, "uint32", "ui"},
    {Scalar::kInt64, "int64", "l"},
    {Scalar::kUInt64, "uint64", "ul"},
    {Scalar::kFloat16, "float16", "h"},
    {Scalar::kFloat32, "float32", "f"},
    {Scalar::kFloat64, "float64", "d"},
}};

const ScalarInfo& info(Scalar s) { return kScalars[static_cast<size_t>(s)]; }

std::optional<Scalar> scalar_from_suffix(std::string_view suffix) {
  for (const auto& s : kScalars) {
    if (!s.suffix.empty() && s.suffix == suffix) return s.scalar;
  }
  return std::nullopt;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string python_scalar(Scalar s) {
  if (s == Scalar::kFloat32) return "float";
  if (s == Scalar::kInt32) return "int";
  if (s == Scalar::kBool) return "bool";
  return "wp." + std::string(scalar_name(s));
}

}  // namespace

bool is_float(Scalar s) { return s == Scalar::kFloat16 || s == Scalar::kFloat32 || s == Scalar::kFloat64; }
bool is_integer(Scalar s) { return s != Scalar::kBool && !is_float(s); }
bool is_signed(Scalar s) {
  return s == Scalar::kInt8 || s == Scalar::kInt16 || s == Scalar::kInt32 || s == Scalar::kInt64 || is_float(s);
}
std::string_view scalar_name(Scalar s) { return info(s).name; }

std::string warp_name(const Type& t) {
  if (t.is_array() || t.kind == Kind::kStruct || t.kind == Kind::kVoid) return "";
  if (t.kind == Kind::kOpaque) {
    switch (Opaque(t.struct_id)) {
      case Opaque::kTile: return "tile";
      case Opaque::kMeshQueryPoint: return "MeshQueryPoint";
      case Opaque::kMeshQueryRay: return "MeshQueryRay";
      case Opaque::kBvhQuery: return "BvhQuery";
      case Opaque::kHashGridQuery: return "HashGridQuery";
      case Opaque::kTuple: return "tuple";
    }
    return "";
  }
  std::string suffix(info(t.scalar).suffix);
  switch (t.kind) {
    case Kind::kScalar: return std::string(scalar_name(t.scalar));
    case Kind::kVector: return "vec" + std::to_string(t.rows) + suffix;
    case Kind::kMatrix: return "mat" + std::to_string(t.rows) + std::to_string(t.cols) + suffix;
    case Kind::kQuat: return "quat" + suffix;
    case Kind::kTransform: return "transform" + suffix;
    case Kind::kSpatialVector: return "spatial_vector" + suffix;
    case Kind::kSpatialMatrix: return "spatial_matrix" + suffix;
    default: return "";
  }
}

std::optional<Type> parse_warp_name(std::string_view name) {
  for (const auto& s : kScalars) {
    if (s.name == name) return Type::scalar_of(s.scalar);
  }
  auto float_suffix = [](std::string_view suffix) -> std::optional<Scalar> {
    auto s = scalar_from_suffix(suffix);
    if (s && is_float(*s)) return s;
    return std::nullopt;
  };
  if (starts_with(name, "spatial_vector")) {
    if (auto s = float_suffix(name.substr(14))) return Type::spatial_vector_of(*s);
    return std::nullopt;
  }
  if (starts_with(name, "spatial_matrix")) {
    if (auto s = float_suffix(name.substr(14))) return Type::spatial_matrix_of(*s);
    return std::nullopt;
  }
  if (starts_with(name, "transform")) {
    if (auto s = float_suffix(name.substr(9))) return Type::transform_of(*s);
    return std::nullopt;
  }
  if (starts_with(name, "quat")) {
    if (auto s = float_suffix(name.substr(4))) return Type::quat_of(*s);
    return std::nullopt;
  }
  if (starts_with(name, "vec") && name.size() >= 5) {
    int length = name[3] - '0';
    auto s = scalar_from_suffix(name.substr(4));
    if (length >= 2 && length <= 4 && s) return Type::vector_of(length, *s);
    return std::nullopt;
  }
  if (starts_with(name, "mat") && name.size() >= 6) {
    int rows = name[3] - '0', cols = name[4] - '0';
    auto s = float_suffix(name.substr(5));
    if (rows == cols && rows >= 2 && rows <= 4 && s) return Type::matrix_of(rows, cols, *s);
    return std::nullopt;
  }
  return std::nullopt;
}

std::string python_name(const Type& t, std::string_view struct_name, ArraySpelling arrays) {
  if (t.is_array()) {
    std::string ctor = t.array_ndim == 1 ? "wp.array" : "wp.array" + std::to_string(t.array_ndim) + "d";
    if (arrays == ArraySpelling::kSubscript) return ctor + "[" + python_name(t.element(), struct_name) + "]";
    return ctor + "(dtype=" + python_name(t.element(), struct_name) + ")";
  }
  std::string name = warp_name(t);
  switch (t.kind) {
    case Kind::kVoid: return "None";
    case Kind::kStruct: return std::string(struct_name);
    case Kind::kScalar: return python_scalar(t.scalar);
    default:
      // Warp spells the float32 composites without suffix (wp.vec3, wp.mat33, wp.quat, ...).
      if (t.scalar == Scalar::kFloat32 && name.back() == 'f') name.pop_back();
      return "wp." + name;
  }
}

}  // namespace warpsynth::model
