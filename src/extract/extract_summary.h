// What an extraction did: counts, and every failure with the file, kernel and reason.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace warpsynth {

struct ExtractFailure {
  std::string file;    // label, or the input as given
  std::string kernel;  // empty when the whole file failed
  std::string stage;   // input, syntax, import, timeout, crash, protocol, codegen, no-kernels, record
  std::string message;
};

// The module-level kernels of one input (a PATH, or an installed package).
struct InputCoverage {
  std::string input;
  int files = 0;
  int declared = 0;            // counted from each file's source, whether its import worked or not
  int declared_extracted = 0;
  double fraction() const { return declared ? static_cast<double>(declared_extracted) / declared : 1.0; }
};

struct ExtractSummary {
  int files = 0;
  int files_with_kernels = 0;
  int files_without_kernels = 0;
  int declared = 0;            // module-level `@wp.kernel` functions, counted from the source
  int declared_extracted = 0;  // of those, how many were extracted
  int kernels_extracted = 0;   // all extracted, factory-made kernels and overloads included
  int duplicates = 0;          // records dropped because an identical one was already kept
  int records = 0;             // written to kernels.jsonl
  std::vector<ExtractFailure> failures;
  std::vector<InputCoverage> by_input;  // in the order given

  void add_failure(ExtractFailure failure) { failures.push_back(std::move(failure)); }
  std::map<std::string, int> failures_by_stage() const;
  double declared_fraction() const { return declared ? static_cast<double>(declared_extracted) / declared : 1.0; }
  // Deterministic: no times, no absolute paths.
  nlohmann::ordered_json to_json() const;
  void print(std::ostream& out) const;
};

}  // namespace warpsynth
