// A verification verdict as a record writes it: "ok", "failed: REASON" or "skipped: REASON" (a
// bare "skipped" where no reason is given). The only code that reads or writes that form.
#pragma once

#include <string>
#include <string_view>

namespace warpsynth {

struct Verdict {
  enum class Outcome { kOk, kFailed, kSkipped };
  Outcome outcome = Outcome::kOk;
  std::string reason;  // empty for ok

  static Verdict ok() { return {}; }
  static Verdict failed(std::string reason) { return {Outcome::kFailed, std::move(reason)}; }
  static Verdict skipped(std::string reason = "") { return {Outcome::kSkipped, std::move(reason)}; }
  // A verdict's text; one that is neither "ok" nor "skipped..." is a failure (its text the reason
  // when it does not start with "failed").
  static Verdict parse(std::string_view text);

  bool is_ok() const { return outcome == Outcome::kOk; }
  bool is_failed() const { return outcome == Outcome::kFailed; }
  bool is_skipped() const { return outcome == Outcome::kSkipped; }
  // "ok", "failed" or "skipped".
  const char* outcome_name() const;
  // The text a record holds.
  std::string text() const;
};

}  // namespace warpsynth
