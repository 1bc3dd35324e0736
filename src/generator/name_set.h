// A small set of names (the values a function being generated has not read yet): a sorted
// vector, as the generator asks it at nearly every leaf and it holds tens of names.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace warpsynth::generator {

class NameSet {
 public:
  bool count(std::string_view name) const { return std::binary_search(names_.begin(), names_.end(), name, Less{}); }
  void insert(const std::string& name) {
    auto at = std::lower_bound(names_.begin(), names_.end(), name, Less{});
    if (at == names_.end() || *at != name) names_.insert(at, name);
  }
  void erase(std::string_view name) {
    auto at = std::lower_bound(names_.begin(), names_.end(), name, Less{});
    if (at != names_.end() && *at == name) names_.erase(at);
  }
  void clear() { names_.clear(); }

 private:
  struct Less {
    bool operator()(std::string_view a, std::string_view b) const { return a < b; }
  };
  std::vector<std::string> names_;
};

}  // namespace warpsynth::generator
