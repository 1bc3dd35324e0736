// The catalog as the generator uses it: which builtins it may call, grouped by the type they
// return, which of them are operators, and which arguments need a guard to stay in the domain.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/catalog.h"
#include "generator/config.h"

namespace warpsynth::generator {

// What a generated argument must be wrapped in (or replaced by) so that the call is defined.
enum class Guard : std::uint8_t {
  kNone,
  kNonNegative,    // sqrt(x): abs(x)
  kPositive,       // log(x), denominators: abs(x) + 1
  kUnit,           // acos(x), asin(x): clamp(x, -1, 1)
  kOpenUnit,       // erfinv(x): clamp(x, -0.99, 0.99)
  kOpenTwo,        // erfcinv(x): clamp(x, 0.01, 1.99)
  kBounded,        // exp(x), sinh, cosh, pow exponent: clamp(x, -8, 8)
  kSmallLiteral,   // integer divisors, multipliers, periods: a literal 1..8
  kShiftAmount,    // lshift/rshift: a literal 0..7
  kNormalized,     // rotation axes: normalize(v)
  kRandomState,    // the `state` of random builtins: a state variable, else wp.rand_init(...)
  kRangeLow,       // randi's low: a literal 0..8
  kRangeHigh,      // randi's high: a literal 10..32, above any low
  kOctaveFactor,   // noise lacunarity (1.5, 2.0, 3.0) and gain (0.25, 0.5, 0.75): literals
};

// A builtin key with its usable overloads returning one type.
struct KeyOverloads {
  std::string key;
  std::vector<int> signatures;
  std::vector<double> weights;  // per signature: the rarest argument type's weight in local_types
};

class BuiltinIndex {
 public:
  BuiltinIndex(const catalog::Catalog& catalog, const GeneratorConfig& config);

  const catalog::Catalog& catalog() const { return catalog_; }
  // Keys (with overloads) that return `type`, in catalog order; empty when none.
  const std::vector<KeyOverloads>& producing(const model::Type& type) const;
  // Per key of producing(type): its weight, from how often real code calls it (config builtin_usage).
  const std::vector<double>& producing_weights(const model::Type& type) const;
  // Python operator of an operator builtin ("+" for add), or "" when the key is a function.
  static std::string binary_operator(const std::string& key);
  static std::string unary_operator(const std::string& key);
  static Guard guard(const std::string& key, int arg_index, const std::string& arg_name, const model::Type& arg_type);
  // guard() of a catalog signature's argument, from a table made once (it is asked for every
  // argument the generator draws).
  Guard guard(int signature, int arg_index) const { return guards_[signature][arg_index]; }
  std::optional<int> find(const std::string& key, std::initializer_list<model::Type> args) const;
  // Builtins returning several values (`axis, angle = wp.quat_to_axis_angle(q)`), as
  // KeyOverloads with an empty key group per key.
  const std::vector<KeyOverloads>& multi_result() const { return multi_result_; }
  // Builtins that return nothing and update their first argument (`wp.transform_set_rotation(x, q)`).
  const std::vector<KeyOverloads>& in_place() const { return in_place_; }
  // Whether some in-place builtin updates a value of this type.
  bool updates_in_place(const model::Type& type) const {
    return std::find(in_place_types_.begin(), in_place_types_.end(), type) != in_place_types_.end();
  }
  // The config's local_types, parsed once: types and their weights, in the config's order.
  const std::vector<model::Type>& local_types() const { return local_types_; }
  const std::vector<double>& local_type_weights() const { return local_type_weights_; }
  // Every key the generator may call (for coverage reports).
  const std::vector<std::string>& usable_keys() const { return usable_keys_; }

 private:
  bool usable(const catalog::Signature& sig, const GeneratorConfig& config) const;
  static void add(std::vector<KeyOverloads>& groups, const catalog::Signature& sig, int index, double weight);

  const catalog::Catalog& catalog_;
  std::vector<std::pair<model::Type, std::vector<KeyOverloads>>> by_return_;
  std::vector<std::vector<double>> by_return_weights_;  // parallel to by_return_
  std::vector<KeyOverloads> multi_result_;
  std::vector<KeyOverloads> in_place_;
  std::vector<model::Type> in_place_types_;
  std::vector<model::Type> local_types_;
  std::vector<double> local_type_weights_;
  std::vector<std::string> usable_keys_;
  std::vector<std::vector<Guard>> guards_;  // [signature][argument]
};

}  // namespace warpsynth::generator
