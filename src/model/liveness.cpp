#include "model/liveness.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>

namespace warpsynth::model {
namespace {

// A set of variable ids (the function's variables, numbered once; those past kMaxVariables are
// not tracked, which keeps them live: a store to them counts as an output). Inline: the analysis
// copies sets at every statement.
constexpr size_t kMaxVariables = 256;

class Bits {
 public:
  explicit Bits(size_t = 0) { words_.fill(0); }
  void set(int i) { words_[size_t(i) >> 6] |= std::uint64_t{1} << (i & 63); }
  void reset(int i) { words_[size_t(i) >> 6] &= ~(std::uint64_t{1} << (i & 63)); }
  bool test(int i) const { return words_[size_t(i) >> 6] >> (i & 63) & 1; }
  Bits& operator|=(const Bits& o) {
    for (size_t k = 0; k < words_.size(); ++k) words_[k] |= o.words_[k];
    return *this;
  }
  bool operator==(const Bits& o) const { return words_ == o.words_; }

 private:
  std::array<std::uint64_t, kMaxVariables / 64> words_;
};

class Analysis {
 public:
  Analysis(std::span<const std::string_view> locals, bool is_kernel) : is_kernel_(is_kernel) {
    // A table at least twice the names it may hold (only that part is cleared: analyses are many).
    while (slots_ < 2 * std::min(locals.size(), kMaxVariables)) slots_ *= 2;
    std::fill(short_table_.begin(), short_table_.begin() + long(slots_), Slot{0, -1});
    for (const auto& n : locals) {
      if (size_ >= kMaxVariables) break;
      if (id(n) >= 0) continue;
      if (n.size() <= 8) {
        auto& slot = short_slot(pack(n));
        slot = {pack(n), int(size_)};
      } else {
        long_keys_.push_back(n);
        long_ids_.push_back(int(size_));
      }
      ++size_;
    }
  }

  // A name of up to 8 bytes as one integer: looked up at every variable the analysis reads, so
  // without hashing or comparing strings. (Names hold no NUL byte, so the padding is unambiguous.)
  static std::uint64_t pack(std::string_view name) {
    std::uint64_t key = 0;
    std::memcpy(&key, name.data(), name.size());
    return key;
  }

  // What the analysis found so far, in the order found. Vectors, not sets: a loop's fixpoint
  // rolls them back to their length at the loop's start on every round.
  std::vector<const Stmt*> dead;
  std::vector<const Stmt*> useless_loops;

  Bits empty() const { return Bits(size_); }

  static bool contains(const std::vector<const Stmt*>& v, const Stmt* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  // A function has tens of variables (at most kMaxVariables): names of up to 8 bytes are found in
  // an open-addressed table of their packed keys (no string compared, no division), the rest by
  // a scan.
  int id(std::string_view name) const {
    if (name.size() <= 8) {
      const std::uint64_t key = pack(name);
      for (size_t i = slot_of(key);; i = (i + 1) & (slots_ - 1)) {
        if (short_table_[i].key == key) return short_table_[i].id;
        if (short_table_[i].key == 0) return -1;
      }
    }
    for (size_t i = 0; i < long_keys_.size(); ++i) {
      if (long_keys_[i] == name) return long_ids_[i];
    }
    return -1;
  }

  void add_reads(const Expr& e, Bits& live) const {
    if (e.kind == ExprKind::kVar) {
      if (int i = id(e.text); i >= 0) live.set(i);
      return;
    }
    for (const auto& a : e.args) add_reads(*a, live);
  }

  // The local a component store or in-place call updates, or -1 when the target is an output.
  int updated_local(const Expr& target) const {
    const Expr* base = &target;
    while ((base->kind == ExprKind::kComponent || base->kind == ExprKind::kIndex || base->kind == ExprKind::kField) &&
           !base->args.empty())
      base = base->args[0].get();
    if (base->kind != ExprKind::kVar || base->type.is_array()) return -1;
    return id(base->text);
  }

  // The local a call statement updates in place, or -1 when the call is an output.
  int updated_local_of(const Expr& call) const {
    size_t arg = 0;
    if (call.signature < 0) {
      if (call.text != "tile_matmul" || call.args.size() != 3) return -1;  // tile_store, atomics: outputs
      arg = 2;
    } else if (!call.type.is_void()) {
      return -1;
    }
    if (call.args.size() <= arg || call.args[arg]->kind != ExprKind::kVar || call.args[arg]->type.is_array()) return -1;
    return id(call.args[arg]->text);
  }

  Bits block(const Block& b, Bits live) {
    for (auto it = b.rbegin(); it != b.rend(); ++it) live = stmt(*it, std::move(live));
    return live;
  }

  // A definition of `defs` reading `reads` (the defined names too when `also_reads_defs`).
  Bits definition(const Stmt& s, std::span<const int> defs, const Expr* value, const Expr* extra, Bits live,
                  bool also_reads_defs) {
    // an untracked name (past kMaxVariables) is kept live
    bool any_live = std::any_of(defs.begin(), defs.end(), [&](int d) { return d < 0 || live.test(d); });
    if (!any_live) {
      dead.push_back(&s);
      return live;
    }
    if (!also_reads_defs) {
      for (int d : defs) {
        if (d >= 0) live.reset(d);
      }
    }
    if (value) add_reads(*value, live);
    if (extra) add_reads(*extra, live);
    return live;
  }

  Bits stmt(const Stmt& s, Bits live) {
    switch (s.kind) {
      case StmtKind::kAssign:
        if (s.value->kind == ExprKind::kCall && s.value->text == "tid") {  // the thread index is always kept
          if (int i = id(s.name); i >= 0) live.reset(i);
          return live;
        }
        return definition(s, std::array{id(s.name)}, s.value.get(), nullptr, std::move(live), false);
      case StmtKind::kAugAssign: return definition(s, std::array{id(s.name)}, s.value.get(), nullptr, std::move(live), true);
      case StmtKind::kStore:
      case StmtKind::kAugStore: {
        int local = updated_local(*s.target);
        if (local < 0) {  // an array element or a field of something passed in: an output
          add_reads(*s.target, live);
          add_reads(*s.value, live);
          return live;
        }
        return definition(s, std::array{local}, s.value.get(), s.target.get(), std::move(live), true);
      }
      case StmtKind::kExpr: {
        // wp.transform_set_rotation(xform, q) updates a local, wp.tile_matmul(a, b, acc) its
        // accumulator; any other call is made for its effect.
        const Expr& call = *s.value;
        if (int local = updated_local_of(call); local >= 0) {
          return definition(s, std::array{local}, &call, nullptr, std::move(live), true);
        }
        add_reads(call, live);
        return live;
      }
      case StmtKind::kUnpack: {
        if (s.value && s.value->text == "tid" && s.value->signature < 0) {
          for (const auto& n : s.names) {
            if (int i = id(n); i >= 0) live.reset(i);
          }
          return live;  // the thread index is always kept
        }
        std::vector<int> defs;
        for (const auto& n : s.names) defs.push_back(id(n));
        return definition(s, defs, s.value.get(), nullptr, std::move(live), false);
      }
      case StmtKind::kReturn: {
        Bits in = empty();
        if (s.value && !is_kernel_) add_reads(*s.value, in);
        return in;
      }
      case StmtKind::kPass: return live;
      case StmtKind::kBreak: return loops_.empty() ? live : loops_.back().after;
      case StmtKind::kContinue: return loops_.empty() ? live : loops_.back().head;
      case StmtKind::kIf: {
        Bits in = block(s.orelse, live);
        for (auto e = s.elifs.rbegin(); e != s.elifs.rend(); ++e) {
          Bits branch = block(e->body, live);
          branch |= in;
          add_reads(*e->condition, branch);
          in = std::move(branch);
        }
        Bits body = block(s.body, live);
        body |= in;
        add_reads(*s.value, body);
        return body;
      }
      case StmtKind::kFor:
      case StmtKind::kWhile: {
        Bits head_reads = empty();
        if (s.kind == StmtKind::kWhile) add_reads(*s.value, head_reads);
        for (const auto& r : s.range) add_reads(*r, head_reads);
        int loop_var = s.kind == StmtKind::kFor ? id(s.name) : -1;
        Bits head = live;
        head |= head_reads;
        const size_t dead_before = dead.size();
        const size_t useless_before = useless_loops.size();
        // Grow what is live at the loop's head until it holds (the body feeds the next iteration).
        for (int round = 0; round < 16; ++round) {
          dead.resize(dead_before);
          useless_loops.resize(useless_before);
          loops_.push_back({live, head});
          Bits inside = block(s.body, head);
          loops_.pop_back();
          if (loop_var >= 0) inside.reset(loop_var);
          Bits next = live;
          next |= head_reads;
          next |= inside;
          if (next == head) break;
          head = std::move(next);
        }
        if (!has_effect(s.body, live)) useless_loops.push_back(&s);
        return head;
      }
    }
    return live;
  }

  // Does a live statement of this block store an output, return, or define a name live after the loop?
  bool has_effect(const Block& b, const Bits& live_after_loop) const {
    for (const auto& s : b) {
      if (contains(dead, &s) || contains(useless_loops, &s)) continue;
      switch (s.kind) {
        case StmtKind::kAssign:
        case StmtKind::kAugAssign:
          if (int i = id(s.name); i < 0 || live_after_loop.test(i)) return true;
          break;
        case StmtKind::kStore:
        case StmtKind::kAugStore: {
          int local = updated_local(*s.target);
          if (local < 0 || live_after_loop.test(local)) return true;
          break;
        }
        case StmtKind::kExpr: {
          int local = updated_local_of(*s.value);
          if (local < 0 || live_after_loop.test(local)) return true;
          break;
        }
        case StmtKind::kUnpack:
          for (const auto& n : s.names) {
            if (int i = id(n); i < 0 || live_after_loop.test(i)) return true;
          }
          break;
        case StmtKind::kReturn: return true;
        case StmtKind::kIf:
          if (has_effect(s.body, live_after_loop) || has_effect(s.orelse, live_after_loop)) return true;
          for (const auto& e : s.elifs) {
            if (has_effect(e.body, live_after_loop)) return true;
          }
          break;
        case StmtKind::kFor:
        case StmtKind::kWhile:
          if (has_effect(s.body, live_after_loop)) return true;
          break;
        default: break;
      }
    }
    return false;
  }

 private:
  struct Loop {
    Bits after, head;
  };
  struct Slot {  // trivial: the table is not cleared beyond the slots in use
    std::uint64_t key;  // 0: empty (a name is never empty)
    int id;
  };
  size_t slot_of(std::uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> 40) & (slots_ - 1); }
  Slot& short_slot(std::uint64_t key) {
    size_t i = slot_of(key);
    while (short_table_[i].key != 0 && short_table_[i].key != key) i = (i + 1) & (slots_ - 1);
    return short_table_[i];
  }
  size_t slots_ = 16;                               // a power of two, at most 2 * kMaxVariables
  std::array<Slot, 2 * kMaxVariables> short_table_;  // the first slots_ are in use
  std::vector<std::string_view> long_keys_;  // the others: views of the caller's names
  std::vector<int> long_ids_;
  size_t size_ = 0;
  bool is_kernel_;
  std::vector<Loop> loops_;
};

}  // namespace

Liveness analyze_liveness(const Block& body, std::span<const std::string_view> locals, bool is_kernel) {
  Analysis a(locals, is_kernel);
  a.block(body, a.empty());
  auto sorted = [](std::vector<const Stmt*> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  return {sorted(std::move(a.dead)), sorted(std::move(a.useless_loops))};
}

std::vector<std::string_view> function_variables(const std::vector<Param>& params, const Block& body) {
  std::vector<std::string_view> names;
  for (const auto& p : params) {
    if (!p.type.is_array() && !p.type.is_struct()) names.push_back(p.name);
  }
  for_each_stmt(body, [&](const Stmt& s) {
    if (!s.name.empty()) names.push_back(s.name);
    names.insert(names.end(), s.names.begin(), s.names.end());
  });
  std::sort(names.begin(), names.end());  // sorted and unique: the ids the analysis numbers
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

void names_read(const Expr& e, std::vector<std::string_view>& out) {
  if (e.kind == ExprKind::kVar) {
    out.push_back(e.text);
    return;
  }
  for (const auto& a : e.args) names_read(*a, out);
}

bool reads_name(const Expr& e, std::string_view name) {
  if (e.kind == ExprKind::kVar) return e.text == name;
  return std::any_of(e.args.begin(), e.args.end(), [&](const ExprPtr& a) { return reads_name(*a, name); });
}

}  // namespace warpsynth::model
