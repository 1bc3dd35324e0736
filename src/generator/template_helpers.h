// The small builder vocabulary both template files use (templates.cpp, family_templates.cpp).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "generator/synth.h"

namespace warpsynth::generator::template_helpers {

inline model::Type array1d(const model::Type& t) { return model::Type::array_of(t, 1); }

// One of the names, drawn.
inline std::string pick_name(Synth& s, std::initializer_list<const char*> names) {
  std::vector<std::string> v(names.begin(), names.end());
  return s.rng().pick(v);
}

inline std::vector<model::ExprPtr> args(model::ExprPtr a) {
  std::vector<model::ExprPtr> v;
  v.push_back(std::move(a));
  return v;
}
template <typename... Rest>
std::vector<model::ExprPtr> args(model::ExprPtr a, Rest... rest) {
  std::vector<model::ExprPtr> v = args(std::move(rest)...);
  v.insert(v.begin(), std::move(a));
  return v;
}

// wp.<key>(a, b) / wp.<key>(a) by catalog signature (an operator where the key is one).
inline model::ExprPtr op(Synth& s, const char* key, model::ExprPtr a, model::ExprPtr b) {
  return s.call(key, args(std::move(a), std::move(b)));
}
inline model::ExprPtr fn(Synth& s, const char* key, model::ExprPtr a) { return s.call(key, args(std::move(a))); }

// The kernel's body, with the statements it needs at its top (the random state).
inline void finish(Synth& s, model::Block& body) {
  s.insert_prologue(body);
  s.program().kernel.body = std::move(body);
}

// A one-line docstring that says what the kernel computes (real kernels have one more often than
// not); each template's lines are true of every kernel it makes.
inline void describe(Synth& s, std::initializer_list<const char*> lines) {
  if (!s.rng().chance(s.config().p_docstring)) return;
  std::vector<std::string> v(lines.begin(), lines.end());
  s.program().kernel.doc = s.rng().pick(v);
}

}  // namespace warpsynth::generator::template_helpers
