#include "run/manifest.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "util/atomic_file.h"
#include "dataset/verdict.h"

namespace warpsynth {

nlohmann::ordered_json RunIdentity::to_json() const {
  nlohmann::ordered_json j = {{"seed", seed},       {"count", count},   {"shard_size", shard_size}, {"config_hash", config_hash},
                              {"verify", verify},   {"format", format}, {"warp_version", warp_version},
                              {"warpsynth_version", warpsynth_version}};
  if (opt_level >= 0) j["opt_level"] = opt_level;  // absent for Warp's defaults: older manifests stay valid
  return j;
}

RunIdentity RunIdentity::from_json(const nlohmann::json& j) {
  RunIdentity r;
  r.seed = j.at("seed").get<std::uint64_t>();
  r.count = j.at("count").get<std::uint64_t>();
  r.shard_size = j.at("shard_size").get<std::uint64_t>();
  r.config_hash = j.at("config_hash").get<std::string>();
  r.verify = j.at("verify").get<std::string>();
  r.format = j.at("format").get<std::string>();
  r.warp_version = j.at("warp_version").get<std::string>();
  r.warpsynth_version = j.at("warpsynth_version").get<std::string>();
  r.opt_level = j.value("opt_level", -1);
  return r;
}

std::vector<std::string> RunIdentity::differences(const RunIdentity& other) const {
  std::vector<std::string> out;
  auto here = to_json(), there = other.to_json();
  for (auto it = here.begin(); it != here.end(); ++it) {
    if (*it != there[it.key()]) out.push_back(fmt::format("{} {} here, {} in the folder", it.key(), it->dump(), there[it.key()].dump()));
  }
  for (auto it = there.begin(); it != there.end(); ++it) {
    if (!here.contains(it.key())) out.push_back(fmt::format("{} unset here, {} in the folder", it.key(), it->dump()));
  }
  return out;
}

void LevelCounts::add(const std::string& text) {
  const Verdict verdict = Verdict::parse(text);
  if (verdict.is_ok()) {
    ++ok;
    return;
  }
  (verdict.is_skipped() ? skipped : failed) += 1;
  // A verdict's specifics, in parentheses, are not part of its reason: "failed: non-finite output y
  // (launch 64)" and "... (launch 37)" are one reason, as are the gradient mismatches of two kernels.
  std::string reason = text.substr(0, text.find(" ("));
  ++reasons[reason.substr(0, 200)];
}

bool verdict_drops_sample(const std::string& level, const std::string& verdict) {
  static const char* const kLevels[] = {"cpu_compile", "cuda_ptx", "cpu_run", "gpu_run", "grad_check"};
  if (!Verdict::parse(verdict).is_failed()) return false;
  for (const char* l : kLevels) {
    if (level == l) return true;
  }
  return false;
}

void LevelCounts::merge(const LevelCounts& other) {
  ok += other.ok;
  failed += other.failed;
  skipped += other.skipped;
  for (const auto& [reason, n] : other.reasons) reasons[reason] += n;
}

nlohmann::ordered_json LevelCounts::to_json() const {
  return {{"ok", ok}, {"failed", failed}, {"skipped", skipped}, {"reasons", reasons}};
}

LevelCounts LevelCounts::from_json(const nlohmann::json& j) {
  LevelCounts c;
  c.ok = j.at("ok").get<std::uint64_t>();
  c.failed = j.at("failed").get<std::uint64_t>();
  c.skipped = j.at("skipped").get<std::uint64_t>();
  c.reasons = j.at("reasons").get<std::map<std::string, std::uint64_t>>();
  return c;
}

nlohmann::ordered_json ShardOutcome::to_json() const {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& f : failures) {
    list.push_back({{"index", f.index}, {"template", f.template_name}, {"stage", f.stage}, {"message", f.message}});
  }
  nlohmann::ordered_json j = {{"samples", samples},
          {"records", records},
          {"duplicates", duplicates},
          {"failures_by_stage", failures_by_stage},
          {"failures", list},
          {"verify", [&] {
             nlohmann::ordered_json levels = nlohmann::ordered_json::object();
             for (const auto& [level, counts] : verify) levels[level] = counts.to_json();
             return levels;
           }()}};
  if (!file_xxh3.empty()) j["file"] = {{"bytes", file_bytes}, {"xxh3", file_xxh3}};
  if (timeout_ms > 0) j["timeout_ms"] = timeout_ms;
  return j;
}

ShardOutcome ShardOutcome::from_json(const nlohmann::json& j) {
  ShardOutcome o;
  o.samples = j.at("samples").get<std::uint64_t>();
  o.records = j.at("records").get<std::uint64_t>();
  o.duplicates = j.at("duplicates").get<std::uint64_t>();
  o.failures_by_stage = j.at("failures_by_stage").get<std::map<std::string, std::uint64_t>>();
  for (const auto& f : j.at("failures")) {
    o.failures.push_back({f.at("index").get<std::uint64_t>(), f.at("template").get<std::string>(),
                          f.at("stage").get<std::string>(), f.at("message").get<std::string>()});
  }
  if (auto v = j.find("verify"); v != j.end()) {  // manifests written before it had per-level counts lack it
    for (auto it = v->begin(); it != v->end(); ++it) o.verify[it.key()] = LevelCounts::from_json(*it);
  }
  if (auto f = j.find("file"); f != j.end()) {
    o.file_bytes = f->at("bytes").get<std::uint64_t>();
    o.file_xxh3 = f->at("xxh3").get<std::string>();
  }
  if (auto t = j.find("timeout_ms"); t != j.end()) o.timeout_ms = t->get<std::int64_t>();
  return o;
}

nlohmann::ordered_json Manifest::to_json() const {
  nlohmann::ordered_json done = nlohmann::ordered_json::object();
  for (const auto& [id, outcome] : shards) done[std::to_string(id)] = outcome.to_json();
  return {{"format", 1}, {"command", command}, {"run", run.to_json()}, {"complete_shards", done}};
}

std::optional<Manifest> Manifest::load(const std::string& path, const std::string& command) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse(text.str(), command);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + " cannot be read (" + e.what() + "); remove the folder or choose another --out");
  }
}

std::optional<Manifest> Manifest::read_any(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object() || !j.contains("command") || !j["command"].is_string()) return std::nullopt;
  try {
    return parse(text.str(), j["command"].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Manifest Manifest::parse(const std::string& text, const std::string& command) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  try {
    if (j.is_discarded()) throw std::runtime_error("not JSON");
    if (j.value("command", "") != command) {
      throw std::runtime_error("the folder holds a run of `warpsynth " + j.value("command", std::string("?")) +
                               "`, not of `warpsynth " + command + "`");
    }
    Manifest m;
    m.command = command;
    m.run = RunIdentity::from_json(j.at("run"));
    for (auto it = j.at("complete_shards").begin(); it != j.at("complete_shards").end(); ++it) {
      m.shards[std::stoi(it.key())] = ShardOutcome::from_json(*it);
    }
    return m;
  } catch (const std::runtime_error&) {
    throw;
  } catch (const std::exception& e) {  // nlohmann's type and range errors, std::stoi's
    throw std::runtime_error(e.what());
  }
}

void Manifest::save(const std::string& path) const {
  AtomicFile file(path);
  file.stream() << to_json().dump(1) << '\n';
  file.commit();
}

}  // namespace warpsynth
