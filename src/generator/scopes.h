// The variables in scope while one function is generated: nested blocks, each name once per
// block. all() lists every visible variable, outer blocks first and each block's by name (the
// order the generator draws from, so part of what a seed means), and is kept between changes:
// the generator asks for it at every leaf it draws, and declares a few dozen names per kernel.
#pragma once

#include <functional>
#include <algorithm>
#include <map>
#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "model/ast.h"
#include "model/type.h"

namespace warpsynth::generator {

struct Variable {
  std::string name;
  model::Type type;
  bool assignable;
  // Components (row-major, bit k for component k) known to hold a constant since the declaration
  // (wp.vec3(r, 0.9, 1.87): bits 1 and 2; wp.diag(v): the off-diagonal ones). A component read
  // avoids them: a constant there made outputs constant under --verify run.
  std::uint64_t constant_components = 0;
  // The array element or variable the variable was declared as a copy of (X = body_q[i], t = d):
  // X - body_q[i] is zero, as a - a is, and the generator redraws it.
  std::shared_ptr<const model::Expr> copy_of;
};

class Scopes {
 public:
  Scopes() { reset(); }

  void reset() {
    blocks_.assign(1, {});
    dirty_ = true;
  }
  void push() {
    blocks_.emplace_back();
    dirty_ = true;
  }
  void pop() {
    blocks_.pop_back();
    dirty_ = true;
  }
  // In the innermost block, or (the random state every thread makes) the outermost.
  void declare(const Variable& v) { declare_in(blocks_.back(), v); }
  void declare_outermost(const Variable& v) { declare_in(blocks_.front(), v); }

  // The innermost declaration of `name`, or nullptr. Variables stay where they are while they
  // are in scope, so the pointer is good until the block that holds it is popped.
  const Variable* find(const std::string& name) const {
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
      if (auto found = it->find(name); found != it->end()) return &found->second;
    }
    return nullptr;
  }

  // Every variable in scope but the hidden ones (what reads and updates choose from; find()
  // still finds a hidden one by name).
  const std::vector<const Variable*>& all() const {
    if (dirty_) {
      all_.clear();
      for (const auto& block : blocks_) {
        for (const auto& entry : block) {
          if (std::find(hidden_.begin(), hidden_.end(), entry.first) == hidden_.end()) all_.push_back(&entry.second);
        }
      }
      dirty_ = false;
    }
    return all_;
  }

  // The body of a dynamic loop (gen/loop_carry.h): variables declared before it may not be
  // assigned (they would be carried from one iteration to the next), and `hidden` (the loop's
  // accumulators) may not be read either. Returns what end_loop_body() restores.
  std::vector<std::string> begin_loop_body(std::vector<std::string> hidden) {
    std::vector<std::string> frozen;
    for (auto& block : blocks_) {
      for (auto& [name, v] : block) {
        if (v.assignable) {
          v.assignable = false;
          frozen.push_back(name);
        }
      }
    }
    hidden_ = std::move(hidden);
    dirty_ = true;
    return frozen;
  }
  void end_loop_body(const std::vector<std::string>& frozen) {
    for (auto& block : blocks_) {
      for (auto& [name, v] : block) {
        if (std::find(frozen.begin(), frozen.end(), name) != frozen.end()) v.assignable = true;
      }
    }
    hidden_.clear();
    dirty_ = true;
  }

 private:
  using Block = std::map<std::string, Variable, std::less<>>;
  void declare_in(Block& block, const Variable& v) {
    block[v.name] = v;
    dirty_ = true;
  }

  std::vector<Block> blocks_;
  std::vector<std::string> hidden_;
  mutable std::vector<const Variable*> all_;
  mutable bool dirty_ = true;
};

}  // namespace warpsynth::generator
