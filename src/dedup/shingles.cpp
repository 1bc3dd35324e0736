#include "dedup/shingles.h"

#include <algorithm>

#include <xxhash.h>

namespace warpsynth::dedup {
namespace {

bool word_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool word_char(char c) { return word_start(c) || digit(c); }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::vector<std::string_view> python_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (space(c)) {
      ++i;
      continue;
    }
    std::size_t start = i++;
    if (word_start(c)) {
      while (i < text.size() && word_char(text[i])) ++i;
    } else if (digit(c)) {
      while (i < text.size() && (word_char(text[i]) || text[i] == '.')) ++i;
    }
    tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

std::vector<std::uint64_t> shingle_hashes(std::string_view text, int n) {
  // Each token hashed once, each n-gram the hash of its tokens' hashes: the same n-grams give the
  // same hashes as hashing their text would (up to 64-bit collisions), without building a string
  // per n-gram (that cost a quarter of the near-dedup's time).
  std::vector<std::string_view> tokens = python_tokens(text);
  std::vector<std::uint64_t> token_hashes;
  token_hashes.reserve(tokens.size());
  for (auto token : tokens) token_hashes.push_back(XXH3_64bits(token.data(), token.size()));
  const std::size_t width = static_cast<std::size_t>(std::max(1, n));
  const std::size_t count = tokens.size() < width ? 1 : tokens.size() - width + 1;
  std::vector<std::uint64_t> hashes;
  hashes.reserve(count);
  for (std::size_t start = 0; start < count; ++start) {
    const std::size_t length = std::min(width, token_hashes.size() - start);
    hashes.push_back(XXH3_64bits(token_hashes.data() + start, length * sizeof(std::uint64_t)));
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  std::size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common, ++i, ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace warpsynth::dedup
