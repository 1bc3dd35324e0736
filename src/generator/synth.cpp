// Synth: names and types, kernel layout (parameters, arrays, the thread index), scopes.
#include "generator/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "generator/synth_common.h"

#include "generator/statements.h"
#include "model/liveness.h"

namespace warpsynth::generator {

using namespace synth_detail;

Synth::Synth(std::uint64_t seed, const BuiltinIndex& index, const GeneratorConfig& config,
             const std::vector<double>& statement_weights)
    : rng_(seed), index_(index), config_(config), statement_weights_(statement_weights) {}

std::vector<double> Synth::statement_weights(const GeneratorConfig& config) {
  std::vector<double> weights;
  for (const auto& kind : statement_kinds()) {
    auto it = config.statements.find(kind.name);
    weights.push_back(it == config.statements.end() ? 0.0 : it->second);
  }
  return weights;
}

// ---------------------------------------------------------------- names and types

double Synth::option_value(const char* name) const {
  auto it = config_.template_options.find(name);
  if (it == config_.template_options.end()) throw std::logic_error(std::string("generator bug: no template option ") + name);
  return it->second;
}

std::string Synth::fresh(const std::string& base) {
  int& n = used_names_[base];
  ++n;
  if (n == 1) return base;
  std::string name = base + std::to_string(n);
  if (used_names_.count(name)) return fresh(name);
  used_names_[name] = 1;
  return name;
}

std::string Synth::base_name_for(const Type& t) {
  const std::vector<std::string>* pool = &kScalarNames;
  if (t.is_bool()) pool = &kBoolNames;
  else if (t.is_int()) pool = &kIntNames;
  else if (t.kind == Kind::kVector) pool = &kVectorNames;
  else if (t.kind == Kind::kMatrix) pool = &kMatrixNames;
  else if (t.kind == Kind::kQuat) pool = &kQuatNames;
  else if (t.kind == Kind::kTransform) pool = &kTransformNames;
  else if (t.kind == Kind::kSpatialVector || t.kind == Kind::kSpatialMatrix) pool = &kSpatialNames;
  return rng_.pick(*pool);
}

Type Synth::pick_local_type() {
  return index_.local_types()[rng_.weighted(index_.local_type_weights())];
}

Type Synth::pick_float_type() {
  double r = rng_.unit();
  if (r < config_.p_float32) return kFloat;
  if (r < config_.p_float32 + config_.p_float64) return Type::scalar_of(Scalar::kFloat64);
  return Type::scalar_of(Scalar::kFloat16);
}

Type Synth::pick_numeric_type() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    Type t = pick_local_type();
    if (is_numeric_value(t) && index_.find("add", {t, t})) return t;
  }
  return kFloat;
}

// ---------------------------------------------------------------- kernel layout

void Synth::begin_kernel(const std::string& name, std::vector<int> launch_dims) {
  program_.kernel.name = name;
  launch_dims_ = std::move(launch_dims);
  used_names_[name] = 1;
  in_kernel_ = true;
  func_limit_ = static_cast<int>(program_.funcs.size());
  scopes_.reset();
}

void Synth::add_param(const std::string& name, const Type& type) {
  program_.kernel.params.push_back({name, type});
  used_names_[name] = std::max(used_names_[name], 1);
  if (!type.is_array()) declare(name, type, false);
}

void Synth::add_array(const std::string& name, const Type& type, bool per_thread, std::vector<int> shape) {
  add_param(name, type);
  if (per_thread) shape = launch_dims_;
  arrays_.push_back({name, type, per_thread, std::move(shape), false, false, ""});
}

void Synth::add_output(const std::string& name, const Type& type, bool per_thread, std::vector<int> shape) {
  add_array(name, type, per_thread, std::move(shape));
  arrays_.back().output = true;
  unread_.erase(name);
}

void Synth::emit_tid(Block& out, std::vector<std::string> names) {
  for (auto& n : names) n = fresh(n);
  Stmt s;
  s.value = model::make_expr(ExprKind::kCall, kInt, "tid");
  if (names.size() == 1) {
    s.kind = StmtKind::kAssign;
    s.declares = true;
    s.name = names[0];
    s.value->signature = *index_.catalog().find("tid", {});
  } else {
    s.kind = StmtKind::kUnpack;
    s.names = names;
  }
  out.push_back(std::move(s));
  for (const auto& n : names) declare(n, kInt, false);
  tid_ = names;
}

int Synth::add_struct_param(const std::string& name) {
  model::StructDef def;
  const char* struct_names[] = {"Params", "SimParams", "Material", "Settings", "Config"};
  def.name = struct_names[rng_.uniform(0, 4)];
  for (const auto& s : program_.structs) {
    if (s.name == def.name) def.name += std::to_string(program_.structs.size());
  }
  int fields = rng_.uniform(2, 5);
  std::vector<std::string> used;
  for (int i = 0; i < fields; ++i) {
    std::string field = rng_.pick(kFieldNames);
    if (std::find(used.begin(), used.end(), field) != used.end()) continue;
    used.push_back(field);
    Type t = i == 0 ? kFloat : pick_local_type();
    def.fields.push_back({field, t});
  }
  program_.structs.push_back(std::move(def));
  int id = static_cast<int>(program_.structs.size()) - 1;
  add_param(name, Type::struct_of(id));
  return id;
}

// ---------------------------------------------------------------- scopes

void Synth::push_scope() { scopes_.push(); }
void Synth::pop_scope() { scopes_.pop(); }

void Synth::declare(const std::string& name, const Type& type, bool assignable, std::uint64_t constant_components,
                    std::shared_ptr<const model::Expr> copy_of) {
  scopes_.declare({name, type, assignable, constant_components, std::move(copy_of)});
  unread_.insert(name);
}

std::vector<const Variable*> Synth::visible(const Type& type) const {
  std::vector<const Variable*> out;
  visible(type, out);
  return out;
}

void Synth::visible(const Type& type, std::vector<const Variable*>& out) const {
  out.clear();
  for (const Variable* v : scopes_.all()) {
    if (v->type == type) out.push_back(v);
  }
}

std::vector<const Variable*> Synth::assignable_where(bool (*pred)(const Type&)) const {
  std::vector<const Variable*> out;
  for (const Variable* v : scopes_.all()) {
    if (v->assignable && pred(v->type)) out.push_back(v);
  }
  return out;
}

bool Synth::tid_names(const std::string& name) const { return std::find(tid_.begin(), tid_.end(), name) != tid_.end(); }

const Variable* Synth::find_variable(const std::string& name) const { return scopes_.find(name); }

}  // namespace warpsynth::generator
