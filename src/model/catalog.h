// Warp's builtin functions as concrete signatures, read from the JSON that
// `warpsynth catalog` exports from the installed Warp (python/warpsynth_worker/warp_bridge.py).
// The generator holds no list of builtins of its own: it uses what this table says.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/ast.h"

namespace warpsynth::catalog {

// The catalog format this driver reads (python/warpsynth_worker/catalog.py, FORMAT).
inline constexpr int kCatalogFormat = 1;

struct Signature {
  std::string key;    // wp.<key>
  std::string group;  // Warp's documentation group: "Scalar Math", "Vector Math", ...
  bool hidden = false;
  bool differentiable = true;
  std::vector<model::Param> args;
  std::vector<std::string> defaults;  // argument names that may be omitted
  model::Type returns;                // void for builtins that return nothing or several values
  std::vector<model::Type> results;   // the values of a builtin that returns several (a, b = wp.f())
};

// Lets the table be searched by a string_view without making a string (find runs for every call
// the generator builds).
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

class Catalog {
 public:
  // Throws std::runtime_error (with the reason) on a table that is not a catalog.
  static Catalog from_json(const nlohmann::json& table);
  static Catalog load(const std::string& path);

  const std::string& warp_version() const { return warp_version_; }
  int size() const { return static_cast<int>(signatures_.size()); }
  const Signature& operator[](int index) const { return signatures_[index]; }
  const std::vector<Signature>& signatures() const { return signatures_; }
  // Entries of the table left out because their types are outside the model (bfloat16, tuples...).
  int skipped() const { return skipped_; }

  // The overload of `key` taking exactly `args`, if any.
  std::optional<int> find(std::string_view key, std::span<const model::Type> args) const;
  const std::vector<int>& overloads(std::string_view key) const;

 private:
  std::string warp_version_;
  std::vector<Signature> signatures_;
  std::unordered_map<std::string, std::vector<int>, KeyHash, std::equal_to<>> by_key_;
  int skipped_ = 0;
};

}  // namespace warpsynth::catalog
