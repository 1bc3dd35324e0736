#include "driver/protocol.h"

#include "util/json_reader.h"

namespace warpsynth::protocol {
namespace {

nlohmann::json parse_message(const std::string& line) {
  std::optional<nlohmann::json> parsed = read_json(line);
  if (!parsed || !parsed->is_object()) {
    throw ProtocolError("worker sent a line that is not a JSON object: " + line.substr(0, 200));
  }
  nlohmann::json message = std::move(*parsed);
  auto version = message.find("protocol");
  if (version == message.end() || !version->is_number_integer() || version->get<int>() != kProtocolVersion) {
    throw ProtocolError("worker speaks protocol " + (version == message.end() ? "?" : version->dump()) +
                        ", this driver speaks " + std::to_string(kProtocolVersion));
  }
  return message;
}

std::string string_field(const nlohmann::json& message, const char* name) {
  auto it = message.find(name);
  if (it == message.end() || !it->is_string()) {
    throw ProtocolError(std::string("worker message lacks the string field '") + name + "'");
  }
  return it->get<std::string>();
}

std::string to_line(const nlohmann::json& message) { return message.dump() + "\n"; }

}  // namespace

std::string extract_request(std::int64_t id, const std::string& path, const std::string& label,
                            const std::string& call) {
  nlohmann::json request = {{"protocol", kProtocolVersion}, {"id", id}, {"op", "extract"}, {"path", path}, {"label", label}};
  if (!call.empty()) request["call"] = call;
  return to_line(request);
}

std::string locate_package_request(std::int64_t id, const std::string& name) {
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", "locate_package"}, {"name", name}});
}

std::string shutdown_request() { return to_line({{"protocol", kProtocolVersion}, {"op", "shutdown"}}); }

std::string catalog_request(std::int64_t id) {
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", "catalog"}});
}

namespace {

std::string sources_request(const char* op, std::int64_t id, const std::vector<SourceItem>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back({{"label", item.label}, {"source", item.source}});
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", op}, {"items", std::move(list)}});
}

}  // namespace

std::string codegen_sources_request(std::int64_t id, const std::vector<SourceItem>& items) {
  return sources_request("codegen_sources", id, items);
}

std::string compile_sources_request(std::int64_t id, const std::vector<SourceItem>& items) {
  return sources_request("compile_sources", id, items);
}

ReadyMessage parse_ready(const std::string& line) {
  nlohmann::json message = parse_message(line);
  if (message.value("op", "") != "ready") throw ProtocolError("worker did not start with a 'ready' message");
  return {string_field(message, "warp_version"), string_field(message, "pinned_warp_version"),
          string_field(message, "worker_version")};
}

Reply parse_reply(const std::string& line) {
  nlohmann::json message = parse_message(line);
  auto id = message.find("id");
  auto ok = message.find("ok");
  if (id == message.end() || !id->is_number_integer()) throw ProtocolError("worker reply lacks an integer 'id'");
  if (ok == message.end() || !ok->is_boolean()) throw ProtocolError("worker reply lacks a boolean 'ok'");
  Reply reply;
  reply.id = id->get<std::int64_t>();
  reply.ok = ok->get<bool>();
  if (reply.ok) {
    auto result = message.find("result");
    if (result == message.end() || !result->is_object()) throw ProtocolError("worker reply lacks a 'result' object");
    reply.result = std::move(*result);
  } else {
    reply.error = string_field(message, "error");
  }
  return reply;
}

}  // namespace warpsynth::protocol
