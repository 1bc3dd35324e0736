#include "stats/quality_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace warpsynth {
namespace {

// The counts of meta.quality, each with the total it is a share of ("" for a per-kernel count).
struct Ratio {
  const char* name;  // stable name in measures()
  const char* part;
  const char* whole;
  const char* label;
};
const Ratio kRatios[] = {
    {"dead_assignment_share", "dead_assignments", "assignments", "assignments whose value is never used"},
    {"literal_only_call_share", "literal_only_calls", "builtin_calls", "builtin calls on constants only"},
    {"literal_condition_share", "literal_conditions", "conditions", "conditions on constants only"},
    {"unused_arg_share", "unused_args", "args", "kernel arguments never read"},
    {"unused_func_param_share", "unused_func_params", "func_params", "func parameters never read"},
    {"uncalled_func_share", "uncalled_funcs", "funcs", "funcs never called"},
};
// Per kernel: the share of kernels where the count is > 0 (or the flag true).
struct KernelShare {
  const char* name;
  const char* field;
  const char* label;
};
const KernelShare kKernelShares[] = {
    {"kernels_with_dead_assignment", "dead_assignments", "kernels with a dead assignment"},
    {"kernels_with_trivial_op", "trivial_ops", "kernels with x = x, a - a, where(c, a, a), ..."},
    {"kernels_with_literal_only_call", "literal_only_calls", "kernels with a builtin call on constants"},
    {"kernels_with_uncalled_func", "uncalled_funcs", "kernels with a func never called"},
    {"kernels_storing_argument_values", "stores_depend_on_args", "kernels storing a value computed from an argument"},
    {"kernels_with_docstring_or_comment", "docstring_or_comment", "kernels with a docstring or comment"},
};

double share(std::uint64_t part, std::uint64_t whole) { return whole ? double(part) / double(whole) : 0.0; }

int quantile(const std::vector<int>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(std::floor(q * double(sorted.size() - 1) + 0.5));
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

void QualityStats::add(const protocol::QualityMeasures& quality, int cpu_forward) {
  ++kernels;
  for (const auto& measure : quality.measures) {
    if (const auto* counts = std::get_if<protocol::QualityMeasures::Counts>(&measure.value)) {
      if (measure.name != "calls") continue;  // the only measure by name: wp.* calls
      for (const auto& [name, n] : *counts) calls[name] += n;
    } else if (const bool* flag = std::get_if<bool>(&measure.value)) {
      if (*flag) ++kernels_with[measure.name];
    } else {
      const std::uint64_t n = std::get<std::uint64_t>(measure.value);
      totals[measure.name] += n;
      if (n > 0) ++kernels_with[measure.name];
    }
  }
  cpu_forward_lines.push_back(cpu_forward);
}

void QualityStats::finish() { std::sort(cpu_forward_lines.begin(), cpu_forward_lines.end()); }

nlohmann::ordered_json QualityStats::measures() const {
  nlohmann::ordered_json m;
  m["kernels"] = kernels;
  auto total = [&](const char* key) {
    auto it = totals.find(key);
    return it == totals.end() ? std::uint64_t{0} : it->second;
  };
  for (const auto& r : kRatios) m[r.name] = share(total(r.part), total(r.whole));
  for (const auto& k : kKernelShares) {
    auto it = kernels_with.find(k.field);
    m[k.name] = share(it == kernels_with.end() ? 0 : it->second, kernels);
  }
  m["trivial_ops"] = total("trivial_ops");
  m["distinct_wp_calls"] = calls.size();
  m["cpu_forward_lines_median"] = quantile(cpu_forward_lines, 0.5);
  m["cpu_forward_lines_p90"] = quantile(cpu_forward_lines, 0.9);
  return m;
}

nlohmann::ordered_json QualityStats::to_json() const {
  nlohmann::ordered_json j = measures();
  j["totals"] = totals;
  j["kernels_with"] = kernels_with;
  j["calls"] = calls;
  std::map<std::string, std::uint64_t> histogram;  // line count -> kernels: compact for large datasets
  for (int n : cpu_forward_lines) ++histogram[std::to_string(n)];
  j["cpu_forward_lines"] = histogram;
  return j;
}

QualityStats QualityStats::from_json(const nlohmann::json& j) {
  QualityStats q;
  try {
    q.kernels = j.at("kernels").get<std::uint64_t>();
    q.totals = j.at("totals").get<std::map<std::string, std::uint64_t>>();
    q.kernels_with = j.at("kernels_with").get<std::map<std::string, std::uint64_t>>();
    q.calls = j.at("calls").get<std::map<std::string, std::uint64_t>>();
    for (const auto& [lines, n] : j.at("cpu_forward_lines").get<std::map<std::string, std::uint64_t>>()) {
      q.cpu_forward_lines.insert(q.cpu_forward_lines.end(), n, std::stoi(lines));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("not a quality reference: ") + e.what());
  }
  q.finish();
  return q;
}

double jensen_shannon(const std::map<std::string, std::uint64_t>& p, const std::map<std::string, std::uint64_t>& q) {
  double sp = 0, sq = 0;
  for (const auto& [k, n] : p) sp += double(n);
  for (const auto& [k, n] : q) sq += double(n);
  if (sp == 0 || sq == 0) return sp == sq ? 0.0 : 1.0;
  std::set<std::string> keys;
  for (const auto& [k, n] : p) keys.insert(k);
  for (const auto& [k, n] : q) keys.insert(k);
  double js = 0;
  for (const auto& k : keys) {
    auto ip = p.find(k);
    auto iq = q.find(k);
    double a = ip == p.end() ? 0 : double(ip->second) / sp;
    double b = iq == q.end() ? 0 : double(iq->second) / sq;
    double m = 0.5 * (a + b);
    if (a > 0) js += 0.5 * a * std::log2(a / m);
    if (b > 0) js += 0.5 * b * std::log2(b / m);
  }
  return std::clamp(js, 0.0, 1.0);
}

void QualityStats::print(std::ostream& out) const {
  nlohmann::ordered_json m = measures();
  out << fmt::format("quality ({} kernels measured):\n", kernels);
  for (const auto& r : kRatios) out << fmt::format("  {:<52} {:>7.2f}%\n", r.label, 100 * m[r.name].get<double>());
  for (const auto& k : kKernelShares) out << fmt::format("  {:<52} {:>7.2f}%\n", k.label, 100 * m[k.name].get<double>());
  out << fmt::format("  {:<52} {:>8}\n", "distinct wp.* functions called", calls.size());
  out << fmt::format("  {:<52} {:>4} / {}\n", "CPU forward lines, median / 90th percentile",
                     m["cpu_forward_lines_median"].get<int>(), m["cpu_forward_lines_p90"].get<int>());
}

void QualityStats::print_against(std::ostream& out, const QualityStats& reference) const {
  nlohmann::ordered_json a = measures(), b = reference.measures();
  out << fmt::format("quality: {:<44} {:>10} {:>10}\n", "", "this", "reference");
  out << fmt::format("  {:<52} {:>8} {:>10}\n", "kernels measured", kernels, reference.kernels);
  for (const auto& r : kRatios)
    out << fmt::format("  {:<52} {:>7.2f}% {:>9.2f}%\n", r.label, 100 * a[r.name].get<double>(), 100 * b[r.name].get<double>());
  for (const auto& k : kKernelShares)
    out << fmt::format("  {:<52} {:>7.2f}% {:>9.2f}%\n", k.label, 100 * a[k.name].get<double>(), 100 * b[k.name].get<double>());
  out << fmt::format("  {:<52} {:>8} {:>10}\n", "distinct wp.* functions called", calls.size(), reference.calls.size());
  out << fmt::format("  {:<52} {:>8} {:>10}\n", "CPU forward lines, median", a["cpu_forward_lines_median"].get<int>(),
                     b["cpu_forward_lines_median"].get<int>());
  out << fmt::format("  {:<52} {:>8} {:>10}\n", "CPU forward lines, 90th percentile", a["cpu_forward_lines_p90"].get<int>(),
                     b["cpu_forward_lines_p90"].get<int>());
  out << fmt::format("  {:<52} {:>8.4f}\n", "Jensen-Shannon divergence of wp.* call histograms",
                     jensen_shannon(calls, reference.calls));
}

}  // namespace warpsynth
