#include "util/json_writer.h"

#include <array>
#include <string_view>

namespace warpsynth {
namespace {

// For each ASCII byte, its escape ("" when it stands for itself); non-ASCII bytes are marked.
struct EscapeTable {
  std::array<std::string, 256> escape;
  std::array<bool, 256> plain{};
  EscapeTable() {
    for (int c = 0; c < 256; ++c) plain[c] = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    for (int c = 0; c < 0x20; ++c) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      escape[c] = buffer;
    }
    escape['"'] = "\\\"";
    escape['\\'] = "\\\\";
    escape['\b'] = "\\b";
    escape['\f'] = "\\f";
    escape['\n'] = "\\n";
    escape['\r'] = "\\r";
    escape['\t'] = "\\t";
  }
};

const EscapeTable& table() {
  static const EscapeTable instance;
  return instance;
}

bool is_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

void write_string(std::string& out, const std::string& text) {
  if (!is_ascii(text)) {
    out += nlohmann::ordered_json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  const auto& t = table();
  out.push_back('"');
  size_t run = 0;  // start of the bytes that stand for themselves, not copied yet
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (t.plain[c]) continue;
    out.append(text, run, i - run).append(t.escape[c]);
    run = i + 1;
  }
  out.append(text, run).push_back('"');
}

void write(std::string& out, const nlohmann::ordered_json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        write_string(out, it.key());
        out.push_back(':');
        write(out, it.value());
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      for (size_t i = 0; i < value.size(); ++i) {
        if (i) out.push_back(',');
        write(out, value[i]);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::string: write_string(out, value.get_ref<const std::string&>()); return;
    default: out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // numbers, bools, null
  }
}

}  // namespace

std::string json_line(const nlohmann::ordered_json& value) {
  std::string out;
  write(out, value);
  return out;
}

}  // namespace warpsynth
