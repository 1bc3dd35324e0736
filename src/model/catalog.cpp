#include "model/catalog.h"

#include <fstream>
#include <stdexcept>

namespace warpsynth::catalog {

Catalog Catalog::from_json(const nlohmann::json& table) {
  if (!table.is_object() || !table.contains("builtins") || !table["builtins"].is_array()) {
    throw std::runtime_error("not a warpsynth catalog: no 'builtins' list");
  }
  if (table.value("format", 0) != kCatalogFormat) {
    throw std::runtime_error("catalog format " + std::to_string(table.value("format", 0)) + ", this warpsynth reads " +
                             std::to_string(kCatalogFormat) + ": export it again (warpsynth catalog --refresh)");
  }
  Catalog catalog;
  catalog.warp_version_ = table.value("warp_version", "");
  for (const auto& entry : table["builtins"]) {
    Signature sig;
    bool usable = true;
    try {
      sig.key = entry.at("key").get<std::string>();
      sig.group = entry.value("group", "");
      sig.hidden = entry.value("hidden", false);
      sig.differentiable = entry.value("differentiable", true);
      sig.defaults = entry.value("defaults", std::vector<std::string>{});
      if (entry.value("variadic", false)) usable = false;
      for (const auto& arg : entry.at("args")) {
        auto type = model::parse_warp_name(arg.at("type").get<std::string>());
        if (!type) usable = false;
        else sig.args.push_back({arg.at("name").get<std::string>(), *type});
      }
      const auto& returns = entry.at("returns");
      if (returns.is_array()) {
        for (const auto& r : returns) {
          auto type = r.is_string() ? model::parse_warp_name(r.get<std::string>()) : std::nullopt;
          if (!type) usable = false;
          else sig.results.push_back(*type);
        }
        if (sig.results.size() < 2) usable = false;
      } else if (!returns.is_string()) {
        usable = false;
      } else if (returns.get<std::string>() != "None") {
        auto type = model::parse_warp_name(returns.get<std::string>());
        if (!type) usable = false;
        else sig.returns = *type;
      }
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(std::string("malformed catalog entry: ") + e.what());
    }
    if (!usable) {
      ++catalog.skipped_;
      continue;
    }
    catalog.by_key_[sig.key].push_back(static_cast<int>(catalog.signatures_.size()));
    catalog.signatures_.push_back(std::move(sig));
  }
  return catalog;
}

Catalog Catalog::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read catalog " + path);
  nlohmann::json table = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (table.is_discarded()) throw std::runtime_error("catalog " + path + " is not valid JSON");
  try {
    return from_json(table);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

std::optional<int> Catalog::find(std::string_view key, std::span<const model::Type> args) const {
  for (int index : overloads(key)) {
    const auto& sig = signatures_[index];
    if (sig.args.size() != args.size()) continue;
    bool match = true;
    for (size_t i = 0; i < args.size() && match; ++i) match = sig.args[i].type == args[i];
    if (match) return index;
  }
  return std::nullopt;
}

const std::vector<int>& Catalog::overloads(std::string_view key) const {
  static const std::vector<int> kNone;
  auto it = by_key_.find(key);
  return it == by_key_.end() ? kNone : it->second;
}

}  // namespace warpsynth::catalog
