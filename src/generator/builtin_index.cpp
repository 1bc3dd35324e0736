#include "generator/builtin_index.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

namespace warpsynth::generator {
namespace {

using model::Type;

// Builtins allowed to produce integers: each either cannot overflow with the small values the
// generator makes, or gets a guarded argument (below). Everything else returning an integer
// (hashes, bit counts, ...) is not called for an integer result.
const std::set<std::string> kIntegerResultKeys = {
    "add", "sub", "mul", "mod", "floordiv", "div", "min", "max", "clamp", "abs", "sign", "neg", "pos",
    "bit_and", "bit_or", "bit_xor", "lshift", "rshift", "invert", "randi", "argmin", "argmax",
    "closest_point_edge_edge", "intersect_tri_tri", "randu", "poisson", "bit_count", "block_dim", "where",
};

}  // namespace

void BuiltinIndex::add(std::vector<KeyOverloads>& groups, const catalog::Signature& sig, int index, double weight) {
  auto key = std::find_if(groups.begin(), groups.end(), [&](const auto& k) { return k.key == sig.key; });
  if (key == groups.end()) {
    groups.push_back({sig.key, {}, {}});
    key = std::prev(groups.end());
  }
  key->signatures.push_back(index);
  key->weights.push_back(weight);
}

BuiltinIndex::BuiltinIndex(const catalog::Catalog& catalog, const GeneratorConfig& config) : catalog_(catalog) {
  for (const auto& [name, weight] : config.local_types) {
    auto type = model::parse_warp_name(name);
    if (!type || weight <= 0) continue;
    local_types_.push_back(*type);
    local_type_weights_.push_back(weight);
  }
  if (local_types_.empty()) {
    local_types_.push_back(Type::scalar_of(model::Scalar::kFloat32));
    local_type_weights_.push_back(1.0);
  }
  std::set<std::string> keys;
  guards_.resize(catalog.size());
  for (int i = 0; i < catalog.size(); ++i) {
    const auto& sig = catalog[i];
    for (size_t a = 0; a < sig.args.size(); ++a) guards_[i].push_back(guard(sig.key, int(a), sig.args[a].name, sig.args[a].type));
    if (!usable(sig, config)) continue;
    // Overloads are drawn in proportion to how common their argument types are: the weight of
    // the rarest argument type in local_types.
    double weight = 1.0;
    for (const auto& arg : sig.args) {
      auto it = config.local_types.find(model::warp_name(arg.type));
      weight = std::min(weight, it == config.local_types.end() ? 0.02 : std::max(it->second, 0.02));
    }
    if (!sig.results.empty()) {
      add(multi_result_, sig, i, weight);
    } else if (sig.returns.is_void()) {
      if (sig.args.empty() || sig.args[0].type.is_array()) continue;
      add(in_place_, sig, i, weight);
      if (!updates_in_place(sig.args[0].type)) in_place_types_.push_back(sig.args[0].type);
    } else {
      auto slot = std::find_if(by_return_.begin(), by_return_.end(), [&](const auto& e) { return e.first == sig.returns; });
      if (slot == by_return_.end()) {
        by_return_.push_back({sig.returns, {}});
        slot = std::prev(by_return_.end());
      }
      add(slot->second, sig, i, weight);
    }
    keys.insert(sig.key);
  }
  usable_keys_.assign(keys.begin(), keys.end());
  for (const auto& [type, groups] : by_return_) {
    std::vector<double> weights;
    for (const auto& k : groups) {
      auto it = config.builtin_usage.find(k.key);
      double uses = it == config.builtin_usage.end() ? 0.0 : std::max(it->second, 0.0);
      weights.push_back(std::pow(1.0 + uses, config.builtin_usage_exponent));
    }
    by_return_weights_.push_back(std::move(weights));
  }
}

const std::vector<double>& BuiltinIndex::producing_weights(const Type& type) const {
  static const std::vector<double> kNone;
  for (size_t i = 0; i < by_return_.size(); ++i) {
    if (by_return_[i].first == type) return by_return_weights_[i];
  }
  return kNone;
}

bool BuiltinIndex::usable(const catalog::Signature& sig, const GeneratorConfig& config) const {
  if (sig.hidden) return false;
  if (std::find(config.exclude_builtins.begin(), config.exclude_builtins.end(), sig.key) != config.exclude_builtins.end()) return false;
  if (std::find(config.exclude_groups.begin(), config.exclude_groups.end(), sig.group) != config.exclude_groups.end()) return false;
  for (const auto& prefix : config.exclude_prefixes) {
    if (sig.key.compare(0, prefix.size(), prefix) == 0) return false;
  }
  bool integer_result = sig.returns.kind != model::Kind::kStruct && model::is_integer(sig.returns.scalar) &&
                        (sig.returns.is_scalar() || sig.returns.kind == model::Kind::kVector);
  if (integer_result && !kIntegerResultKeys.count(sig.key)) return false;
  for (const auto& arg : sig.args) {
    if (arg.type.kind == model::Kind::kStruct) return false;
  }
  // Division by a matrix, quaternion or transform (elementwise) has no guard that keeps it
  // defined and no use in real code.
  if ((sig.key == "div" || sig.key == "mod" || sig.key == "floordiv" || sig.key == "cw_div") && sig.args.size() == 2) {
    const Type& divisor = sig.args[1].type;
    if (!divisor.is_scalar() && divisor.kind != model::Kind::kVector) return false;
  }
  // `//` and `%` of floats (`0.19 // (wp.abs(d) + 1.0)`) are what a blind reader took for machine-made:
  // real Warp code divides integers that way (an index into rows, a cell of a grid).
  if ((sig.key == "floordiv" || sig.key == "mod") && !model::is_integer(sig.returns.scalar)) return false;
  return true;
}

const std::vector<KeyOverloads>& BuiltinIndex::producing(const Type& type) const {
  static const std::vector<KeyOverloads> kNone;
  for (const auto& [t, keys] : by_return_) {
    if (t == type) return keys;
  }
  return kNone;
}

std::string BuiltinIndex::binary_operator(const std::string& key) {
  // A short table scanned in order: asked for every call the generator makes.
  static constexpr std::pair<std::string_view, std::string_view> kOps[] = {
      {"add", "+"}, {"sub", "-"},     {"mul", "*"},     {"div", "/"},      {"floordiv", "//"}, {"mod", "%"},
      {"bit_and", "&"}, {"bit_or", "|"}, {"bit_xor", "^"}, {"lshift", "<<"}, {"rshift", ">>"},
  };
  for (const auto& [name, op] : kOps) {
    if (key == name) return std::string(op);
  }
  return "";
}

std::string BuiltinIndex::unary_operator(const std::string& key) {
  if (key == "neg") return "-";
  if (key == "invert") return "~";
  return "";
}

Guard BuiltinIndex::guard(const std::string& key, int arg, const std::string& name, const Type& type) {
  if (name == "state" && type == Type::scalar_of(model::Scalar::kUInt32)) return Guard::kRandomState;
  bool integer = model::is_integer(type.scalar) && type.kind != model::Kind::kStruct;
  if (key == "sqrt") return Guard::kNonNegative;
  if (key == "log" || key == "log2" || key == "log10") return Guard::kPositive;
  if (key == "acos" || key == "asin") return Guard::kUnit;
  if (key == "erfinv") return Guard::kOpenUnit;
  if (key == "erfcinv") return Guard::kOpenTwo;
  if (key == "exp" || key == "sinh" || key == "cosh" || key == "tan") return Guard::kBounded;
  if (key == "pow") return arg == 0 ? Guard::kPositive : Guard::kBounded;
  if (key == "div" || key == "mod" || key == "floordiv" || key == "cw_div") {
    if (arg == 1) return integer ? Guard::kSmallLiteral : Guard::kPositive;
    return Guard::kNone;
  }
  if (key == "mul" && integer && arg == 1) return Guard::kSmallLiteral;
  if ((key == "lshift" || key == "rshift") && arg == 1) return Guard::kShiftAmount;
  if (key == "pnoise" && integer) return Guard::kSmallLiteral;
  // curlnoise loops over its octaves: a random state passed there (about 1e9) never finished a
  // launch (found by --verify run, sample 1660 of seed 5).
  if (name == "octaves" && integer) return Guard::kSmallLiteral;
  if (key == "poisson" && arg == 1) return Guard::kBounded;
  // Noise octaves' frequency and amplitude factors: constants in real code (2.0, 0.5), and
  // curlnoise passes them no gradient (Warp's doc string: "lacunarity and gain receive no
  // gradient"), which --verify grad reported as a wrong gradient (sample 15994 of seed 21).
  if ((name == "lacunarity" || name == "gain") && model::is_float(type.scalar)) return Guard::kOctaveFactor;
  // randi(state, low, high) draws from [low, high): high <= low divides by zero (SIGFPE; sample
  // 1701 of seed 5, `wp.randi(state, 10, i)`).
  if (key == "randi" && arg == 1 && integer) return Guard::kRangeLow;
  if (key == "randi" && arg == 2 && integer) return Guard::kRangeHigh;
  if (key == "quat_from_axis_angle" && arg == 0) return Guard::kNormalized;
  return Guard::kNone;
}

std::optional<int> BuiltinIndex::find(const std::string& key, std::initializer_list<model::Type> args) const {
  return catalog_.find(key, std::vector<model::Type>(args));
}

}  // namespace warpsynth::generator
