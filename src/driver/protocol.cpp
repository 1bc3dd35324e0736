#include "driver/protocol.h"

#include "util/utf8.h"

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

// A file's path: as text where it is UTF-8, else its bytes in hex ("path_hex"), which the worker
// turns back into the name the file system knows.
void add_path(nlohmann::json& request, const std::string& path) {
  if (is_valid_utf8(path)) request["path"] = path;
  else request["path_hex"] = to_hex(path);
}

}  // namespace

std::string extract_request(std::int64_t id, const std::string& path, const std::string& label,
                            const std::string& call) {
  nlohmann::json request = {{"protocol", kProtocolVersion}, {"id", id}, {"op", "extract"}};
  add_path(request, path);
  request["label"] = escape_invalid_utf8(label);
  if (!call.empty()) request["call"] = call;
  return to_line(request);
}

std::string preload_request(std::int64_t id, const std::vector<std::string>& paths) {
  std::vector<std::string> text_paths;  // preloading is an optimization: a name JSON cannot carry is left out
  for (const auto& p : paths) {
    if (is_valid_utf8(p)) text_paths.push_back(p);
  }
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", "preload"}, {"paths", text_paths}});
}

std::string declared_request(std::int64_t id, const std::string& path) {
  nlohmann::json request = {{"protocol", kProtocolVersion}, {"id", id}, {"op", "declared"}};
  add_path(request, path);
  return to_line(request);
}

std::string locate_package_request(std::int64_t id, const std::string& name) {
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", "locate_package"}, {"name", name}});
}

nlohmann::json RunPlan::to_json() const {
  nlohmann::json plan = {{"array_shapes", array_shapes}, {"host_objects", host_objects}, {"block_dim", block_dim},
                         {"seed", seed}, {"grad", grad}, {"opt_level", opt_level}};
  if (kernel) plan["kernel"] = *kernel;
  if (dims) plan["dims"] = *dims;
  return plan;
}

std::string shutdown_request() { return to_line({{"protocol", kProtocolVersion}, {"op", "shutdown"}}); }

std::string catalog_request(std::int64_t id) {
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", "catalog"}});
}

namespace {

std::string sources_request(const char* op, std::int64_t id, const std::vector<SourceItem>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) {
    nlohmann::json entry = {{"label", item.label}, {"source", item.source}};
    if (item.run) entry["run"] = item.run->to_json();
    list.push_back(std::move(entry));
  }
  return to_line({{"protocol", kProtocolVersion}, {"id", id}, {"op", op}, {"items", std::move(list)}});
}

}  // namespace

std::string codegen_sources_request(std::int64_t id, const std::vector<SourceItem>& items) {
  return sources_request("codegen_sources", id, items);
}

std::string compile_sources_request(std::int64_t id, const std::vector<SourceItem>& items) {
  return sources_request("compile_sources", id, items);
}

std::string run_sources_request(std::int64_t id, const std::vector<SourceItem>& items) {
  return sources_request("run_sources", id, items);
}

ReadyMessage parse_ready(const std::string& line) {
  nlohmann::json message = parse_message(line);
  // Not message.value("op", ""): that throws nlohmann's type_error when "op" is not a string (found
  // by fuzz_protocol: {"protocol":1,"op":3}).
  auto op = message.find("op");
  if (op == message.end() || !op->is_string() || *op != "ready") {
    throw ProtocolError("worker did not start with a 'ready' message");
  }
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
  if (auto restart = message.find("restart"); restart != message.end()) {
    if (!restart->is_array()) throw ProtocolError("worker reply's 'restart' is not a list");
    for (const auto& what : *restart) {
      if (!what.is_string()) throw ProtocolError("worker reply's 'restart' holds a value that is not a string");
      reply.restart.push_back(what.get<std::string>());
    }
    if (reply.restart.empty()) reply.restart.push_back("(unnamed)");
  }
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Typed replies

namespace {

const nlohmann::json& member(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (!object.is_object() || it == object.end()) {
    throw ProtocolError(std::string("worker result lacks '") + name + "'");
  }
  return *it;
}

std::string text(const nlohmann::json& object, const char* name) {
  const auto& value = member(object, name);
  if (!value.is_string()) throw ProtocolError(std::string("worker result: '") + name + "' is not a string");
  return value.get<std::string>();
}

int integer(const nlohmann::json& object, const char* name) {
  const auto& value = member(object, name);
  if (!value.is_number_integer()) throw ProtocolError(std::string("worker result: '") + name + "' is not an integer");
  return value.get<int>();
}

bool boolean(const nlohmann::json& object, const char* name) {
  const auto& value = member(object, name);
  if (!value.is_boolean()) throw ProtocolError(std::string("worker result: '") + name + "' is not a boolean");
  return value.get<bool>();
}

std::vector<std::string> strings(const nlohmann::json& list, const char* what) {
  if (!list.is_array()) throw ProtocolError(std::string("worker result: '") + what + "' is not a list");
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string()) throw ProtocolError(std::string("worker result: '") + what + "' holds a non-string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::pair<std::string, std::string> name_pair(const nlohmann::json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
    throw ProtocolError("worker result: a name is not a [generated, key] pair");
  }
  return {pair[0].get<std::string>(), pair[1].get<std::string>()};
}

NameTable names_of(const nlohmann::json& names) {
  NameTable table;
  table.kernel = name_pair(member(names, "kernel"));
  for (const auto& pair : member(names, "structs")) table.structs.push_back(name_pair(pair));
  for (const auto& pair : member(names, "functions")) table.functions.push_back(name_pair(pair));
  return table;
}

// A function of the unit: [start, end) offsets into `module`, its text, or null.
std::optional<std::string> function_text(const nlohmann::json& piece, const std::string& module, const char* what) {
  if (piece.is_null()) return std::nullopt;
  if (piece.is_string()) return piece.get<std::string>();
  if (piece.is_array() && piece.size() == 2 && piece[0].is_number_unsigned() && piece[1].is_number_unsigned()) {
    auto start = piece[0].get<std::size_t>(), end = piece[1].get<std::size_t>();
    if (start <= end && end <= module.size()) return module.substr(start, end - start);
  }
  throw ProtocolError(std::string("worker result: bad ") + what + " function");
}

TargetCode target_of(const nlohmann::json& target) {
  TargetCode code;
  if (target.contains("module")) code.module = text(target, "module");
  if (target.contains("preamble")) code.preamble = text(target, "preamble");
  code.forward = function_text(member(target, "forward"), code.module, "forward");
  code.backward = function_text(member(target, "backward"), code.module, "backward");
  if (target.contains("block_dim")) code.block_dim = integer(target, "block_dim");
  code.names = names_of(member(target, "names"));
  return code;
}

LineMap line_map_of(const nlohmann::json& line_map) {
  LineMap map;
  map.kernel_file = text(line_map, "kernel_file");
  for (const auto& r : member(line_map, "ranges")) {
    if (!r.is_array() || r.size() != 4 || !r[0].is_string()) throw ProtocolError("worker result: bad line map range");
    map.ranges.push_back({r[0].get<std::string>(), r[1].get<int>(), r[2].get<int>(), r[3].get<int>()});
  }
  return map;
}

}  // namespace

KernelCode parse_kernel_code(const nlohmann::json& kernel) {
  KernelCode code;
  code.kernel = text(kernel, "kernel");
  code.line = integer(kernel, "line");
  if (const auto& python = member(kernel, "python"); !python.is_null()) code.python = text(kernel, "python");
  code.line_map = line_map_of(member(kernel, "line_map"));
  for (const auto& arg : member(kernel, "arg_types")) code.arg_types.push_back({text(arg, "name"), text(arg, "type")});
  code.builtins = strings(member(kernel, "builtins"), "builtins");
  code.stubbed_imports = strings(member(kernel, "stubbed_imports"), "stubbed_imports");
  if (auto q = kernel.find("quality"); q != kernel.end() && !q->is_null()) {
    try {
      code.quality = QualityMeasures::from_json(*q);
    } catch (const std::invalid_argument& e) {
      throw ProtocolError(std::string("worker result: quality") + e.what());
    }
  }
  code.enable_backward = boolean(kernel, "enable_backward");
  code.cpu_blocks = boolean(kernel, "cpu_blocks");
  code.cuda_arch = integer(kernel, "cuda_arch");
  code.cpu = target_of(member(kernel, "cpu"));
  code.cuda = target_of(member(kernel, "cuda"));
  if (auto check = kernel.find("self_contained"); check != kernel.end()) {
    SelfContainedCheck result;
    if (check->contains("error")) {
      result.error = text(*check, "error");
      if (result.error.empty()) result.error = "no reason given";
    } else {
      result.cpu = target_of(member(*check, "cpu"));
      result.cuda = target_of(member(*check, "cuda"));
      result.line_map = line_map_of(member(*check, "line_map"));
    }
    code.self_contained = std::move(result);
  }
  return code;
}

SourceReply parse_source_reply(const nlohmann::json& result) {
  if (!result.is_object()) throw ProtocolError("worker result is not an object");
  SourceReply reply;
  if (result.contains("declared")) reply.declared = strings(result["declared"], "declared");
  for (const auto& kernel : member(result, "kernels")) reply.kernels.push_back(parse_kernel_code(kernel));
  for (const auto& error : member(result, "errors")) {
    reply.errors.push_back({error.contains("stage") ? text(error, "stage") : "worker", text(error, "message"),
                            error.contains("kernel") ? text(error, "kernel") : ""});
  }
  if (auto p = result.find("provenance"); p != result.end() && !p->is_null()) {
    reply.provenance = Provenance{text(*p, "distribution"), text(*p, "version"), text(*p, "license"), text(*p, "file")};
  }
  if (auto verify = result.find("verify"); verify != result.end()) {
    if (!verify->is_object()) throw ProtocolError("worker result: 'verify' is not an object");
    for (auto it = verify->begin(); it != verify->end(); ++it) {
      if (!it->is_string()) throw ProtocolError("worker result: a verify level is not a string");
      reply.verify.emplace_back(it.key(), it->get<std::string>());
    }
  }
  if (auto run = result.find("run"); run != result.end() && !run->is_null()) {
    if (!run->is_object()) throw ProtocolError("worker result: 'run' is not an object");
    reply.run = *run;
  }
  if (auto grad = result.find("grad"); grad != result.end() && !grad->is_null()) {
    if (!grad->is_object()) throw ProtocolError("worker result: 'grad' is not an object");
    reply.grad = *grad;
  }
  return reply;
}

std::vector<SourceReply> parse_sources_reply(const nlohmann::json& result) {
  std::vector<SourceReply> replies;
  for (const auto& item : member(result, "items")) replies.push_back(parse_source_reply(item));
  return replies;
}

std::vector<std::string> parse_declared_reply(const nlohmann::json& result) {
  return strings(member(result, "declared"), "declared");
}

std::string parse_package_location(const nlohmann::json& result) { return text(result, "path"); }

}  // namespace warpsynth::protocol
