// What the files of Synth share: type constants, literal and name pools, small helpers.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "model/ast.h"
#include "model/type.h"

namespace warpsynth::generator::synth_detail {

using model::Block;
using model::Expr;
using model::ExprKind;
using model::ExprPtr;
using model::Kind;
using model::Scalar;
using model::Stmt;
using model::StmtKind;
using model::Type;


inline const Type kInt = Type::scalar_of(Scalar::kInt32);
inline const Type kFloat = Type::scalar_of(Scalar::kFloat32);
inline const Type kBool = Type::scalar_of(Scalar::kBool);

inline const char* const kFloatLiterals[] = {"0.0", "0.5", "1.0", "2.0", "0.25", "0.1", "1.5", "3.0", "-1.0", "-0.5",
                                      "10.0", "0.01", "0.75", "4.0", "1.0e-3", "0.9", "9.81", "-2.0", "0.2", "5.0"};

// Unit quaternions (x, y, z, w) for quaternion literals.
inline const char* const kUnitQuats[][4] = {{"0.0", "0.0", "0.0", "1.0"},
                                     {"0.7071068", "0.0", "0.0", "0.7071068"},
                                     {"0.0", "0.7071068", "0.0", "0.7071068"},
                                     {"0.0", "0.0", "0.7071068", "0.7071068"},
                                     {"0.5", "0.5", "0.5", "0.5"}};

// Name pools by kind of value, so the code reads like code a person wrote.
inline const std::vector<std::string> kScalarNames = {"t", "s", "r", "w", "h", "alpha", "beta", "theta", "phi", "mag",
                                               "dist", "energy", "scale", "weight", "angle", "d2", "val", "acc"};
inline const std::vector<std::string> kVectorNames = {"d", "n", "u", "dir", "offset", "delta", "axis", "vel", "accel",
                                               "p", "center", "normal", "force", "tangent", "color"};
inline const std::vector<std::string> kMatrixNames = {"R", "M", "J", "S", "K", "A", "B", "rot_m", "inertia"};
inline const std::vector<std::string> kQuatNames = {"q", "rot", "qa", "qb", "orient"};
inline const std::vector<std::string> kTransformNames = {"xform", "tf", "pose", "frame"};
inline const std::vector<std::string> kIntNames = {"k", "idx", "count", "cell", "bin", "step", "lane", "slot"};
inline const std::vector<std::string> kBoolNames = {"flag", "inside", "hit", "active", "valid"};
inline const std::vector<std::string> kSpatialNames = {"twist", "wrench", "sv", "motion"};
inline const std::vector<std::string> kFieldNames = {"gain", "offset", "scale", "damping", "stiffness", "radius", "dt",
                                              "axis", "center", "frame", "weight", "bias", "threshold", "origin",
                                              "rotation", "count", "mode"};
inline const std::vector<std::string> kFuncNames = {"falloff", "blend", "apply_gain", "compute_weight", "rotate_point",
                                             "soft_clamp", "energy_term", "project", "smooth", "remap",
                                             "shade", "attenuate", "integrate_step", "penalty"};

inline bool is_numeric_value(const Type& t) {
  if (t.is_array() || t.kind == Kind::kStruct || t.kind == Kind::kVoid || t.kind == Kind::kOpaque) return false;
  return !(t.is_scalar() && t.is_bool());
}

inline std::string format_double_slow(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A float literal as Python reads it ("%.6g", with ".0" on whole numbers). The generator's values
// are mostly hundredths in [-10, 10] (uniform(-500, 500) / 100): those come from a table made
// once by the same formatting, as snprintf was a few percent of the generator's time.
inline std::string format_double(double v) {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> t;
    for (int n = -1000; n <= 1000; ++n) t.push_back(format_double_slow(n / 100.0));
    return t;
  }();
  double scaled = v * 100.0;
  if (scaled >= -1000.0 && scaled <= 1000.0) {
    int n = static_cast<int>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    if (n / 100.0 == v) return table[size_t(n + 1000)];
  }
  return format_double_slow(v);
}

}  // namespace warpsynth::generator::synth_detail
