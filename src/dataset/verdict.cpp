#include "dataset/verdict.h"

namespace warpsynth {
namespace {

// The text after `word` and its ": ", when `text` starts with `word`; empty when only the word.
bool strip(std::string_view text, std::string_view word, std::string& reason) {
  if (text.substr(0, word.size()) != word) return false;
  text.remove_prefix(word.size());
  if (text.substr(0, 2) == ": ") text.remove_prefix(2);
  reason = std::string(text);
  return true;
}

}  // namespace

Verdict Verdict::parse(std::string_view text) {
  if (text == "ok") return ok();
  Verdict v;
  if (strip(text, "skipped", v.reason)) {
    v.outcome = Outcome::kSkipped;
  } else {
    v.outcome = Outcome::kFailed;
    if (!strip(text, "failed", v.reason)) v.reason = std::string(text);
  }
  return v;
}

const char* Verdict::outcome_name() const {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      break;
  }
  return "skipped";
}

std::string Verdict::text() const {
  if (outcome == Outcome::kOk) return "ok";
  return reason.empty() ? std::string(outcome_name()) : std::string(outcome_name()) + ": " + reason;
}

}  // namespace warpsynth
