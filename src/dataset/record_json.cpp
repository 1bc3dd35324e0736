// The record's JSON form (docs/dataset.md): the only code that spells its field names. Fields are
// written in the order records have always had them, so that a record read and written again is
// the same line.
#include <fmt/format.h>

#include "dataset/record.h"
#include "util/json_reader.h"
#include "util/json_writer.h"

namespace warpsynth {
namespace {

using Json = nlohmann::ordered_json;

RecordFormatError field_error(const std::string& what) { return {RecordFormatError::Kind::kField, what}; }

const char* kind_name(const Json& j) { return j.is_null() ? "null" : j.type_name(); }

// A JSON object read field by field; an error names the field by its path ("meta.block_dim.cpu").
class FieldReader {
 public:
  FieldReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw field_error(fmt::format("a field of the wrong type: {} is a {}, not an object", path_, kind_name(object_)));
  }

  bool has(const char* key) const { return object_.contains(key); }
  const Json& at(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end()) throw field_error(fmt::format("a field missing: {}", name(key)));
    return *it;
  }
  // The field, when present and not null.
  const Json* maybe(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  FieldReader object(const char* key) const { return {at(key), name(key)}; }

  std::string text(const char* key) const { return checked(key, at(key).is_string(), "a string").get<std::string>(); }
  bool flag(const char* key) const { return checked(key, at(key).is_boolean(), "a boolean").get<bool>(); }
  int integer(const char* key) const { return checked(key, at(key).is_number_integer(), "an integer").get<int>(); }
  std::uint64_t count(const char* key) const {
    return checked(key, at(key).is_number_unsigned(), "a count").get<std::uint64_t>();
  }
  std::optional<std::string> optional_text(const char* key) const {
    if (!maybe(key)) return std::nullopt;
    return text(key);
  }
  std::vector<std::string> texts(const char* key) const {
    std::vector<std::string> out;
    for (const auto& item : checked(key, at(key).is_array(), "a list")) {
      if (!item.is_string()) throw wrong(key, "a list of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  std::vector<int> integers(const char* key) const { return integers_of(at(key), name(key)); }

  static std::vector<int> integers_of(const Json& list, const std::string& path) {
    if (!list.is_array()) throw field_error(fmt::format("a field of the wrong type: {} is a {}, not a list", path, kind_name(list)));
    std::vector<int> out;
    for (const auto& item : list) {
      if (!item.is_number_integer()) throw field_error(fmt::format("a field of the wrong type: {} holds a {}, not integers", path, kind_name(item)));
      out.push_back(item.get<int>());
    }
    return out;
  }
  const Json& json() const { return object_; }
  std::string name(const std::string& key) const { return path_ + "." + key; }

 private:
  const Json& checked(const char* key, bool fits, const char* wanted) const {
    if (!fits) throw wrong(key, wanted);
    return at(key);
  }
  RecordFormatError wrong(const char* key, const char* wanted) const {
    return field_error(fmt::format("a field of the wrong type: {} is a {}, not {}", name(key), kind_name(at(key)), wanted));
  }

  const Json& object_;
  std::string path_;
};

// ---------------------------------------------------------------------------------------------
// Writing.

template <class T, class F>
Json per_device(const PerDevice<T>& value, F&& write) {
  return {{"cpu", write(value.cpu)}, {"cuda", write(value.cuda)}};
}

Json optional_text_json(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }

Json device_code_json(const DeviceCode& code) {
  return {{"forward", optional_text_json(code.forward)},
          {"backward", optional_text_json(code.backward)},
          {"module", code.module}};
}

Json provenance_json(const std::optional<protocol::Provenance>& p) {
  if (!p) return nullptr;
  return {{"distribution", p->distribution}, {"version", p->version}, {"license", p->license}, {"file", p->file}};
}

Json launch_json(const model::LaunchSpec& launch) {
  Json j = {{"function", launch.tiled_block_dim ? "wp.launch_tiled" : "wp.launch"}};
  if (launch.tiled_block_dim) j["block_dim"] = launch.tiled_block_dim;
  Json objects = Json::object();
  for (const auto& [arg, what] : launch.host_objects) objects[arg] = what;
  j["host_objects"] = std::move(objects);
  return j;
}

Json meta_json(const RecordMeta& m) {
  Json j;
  j["warp_version"] = m.warp_version;
  j["warpsynth_version"] = m.warpsynth_version;
  if (const auto& g = m.generator) {
    j["generator"] = {{"run_seed", g->run_seed}, {"index", g->index}, {"seed", g->seed},
                      {"template", g->template_name}, {"config_hash", g->config_hash}};
    if (const auto& p = g->parent) {
      j["generator"]["parent"] = {{"id", p->id}, {"kernel", p->kernel}, {"file", p->file}, {"package", provenance_json(p->package)}};
      j["generator"]["edits"] = g->edits;
    }
  }
  if (const auto& s = m.source) j["source"] = {{"file", s->file}, {"line", s->line}, {"package", provenance_json(s->package)}};
  Json args = Json::array();
  for (const auto& a : m.arg_types) args.push_back({{"name", a.name}, {"type", a.type}});
  j["arg_types"] = std::move(args);
  j["launch_dims"] = m.launch_dims ? Json(*m.launch_dims) : Json();
  if (m.array_shapes) {
    Json shapes = Json::object();
    for (const auto& [name, shape] : *m.array_shapes) shapes[name] = shape;
    j["array_shapes"] = std::move(shapes);
  }
  if (m.launch) j["launch"] = launch_json(*m.launch);
  j["enable_backward"] = m.enable_backward;
  j["block_dim"] = per_device(m.block_dim, [](int n) { return Json(n); });
  j["cpu_blocks"] = m.cpu_blocks;
  j["cuda_arch"] = m.cuda_arch;
  j["preamble"] = per_device(m.preamble, [](const std::string& name) { return Json(name); });
  if (m.features) j["features"] = m.features->to_json();
  if (m.builtins) j["builtins"] = *m.builtins;
  if (m.stubbed_imports) j["stubbed_imports"] = *m.stubbed_imports;
  j["quality"] = m.quality ? m.quality->to_json<Json>() : Json();
  Json lines = Json::object();
  for (const auto& [name, n] : m.lines.named()) lines[name] = n;
  j["lines"] = std::move(lines);
  if (m.opt_level) j["opt_level"] = *m.opt_level;
  return j;
}

Json verify_json(const VerifyResults& v) {
  Json j = Json::object();
  for (const auto& [level, verdict] : v.levels) j[level] = verdict.text();
  if (v.run) j["run"] = *v.run;  // what replays the check
  if (v.grad) j["grad"] = *v.grad;
  return j;
}

// ---------------------------------------------------------------------------------------------
// Reading.

DeviceCode device_code_of(const FieldReader& r) {
  return {r.optional_text("forward"), r.optional_text("backward"), r.text("module")};
}

protocol::Provenance provenance_of(const FieldReader& r) {
  return {r.text("distribution"), r.text("version"), r.text("license"), r.text("file")};
}

model::LaunchSpec launch_of(const FieldReader& r) {
  model::LaunchSpec launch;
  if (r.has("block_dim")) launch.tiled_block_dim = r.integer("block_dim");
  const FieldReader objects = r.object("host_objects");
  for (auto it = objects.json().begin(); it != objects.json().end(); ++it) {
    launch.host_objects.emplace_back(it.key(), objects.text(it.key().c_str()));
  }
  return launch;
}

model::Features features_of(const FieldReader& r) {
  return {r.texts("builtins"), r.texts("types"), r.texts("constructs")};
}

LineCounts lines_of(const FieldReader& r) {
  return {r.integer("python"), r.integer("cpu_forward"), r.integer("cpu_backward"), r.integer("cuda_forward"),
          r.integer("cuda_backward")};
}

constexpr const char* kMetaFields[] = {"warp_version", "warpsynth_version", "generator", "source", "arg_types",
                                       "launch_dims", "array_shapes", "launch", "enable_backward", "block_dim",
                                       "cpu_blocks", "cuda_arch", "preamble", "features", "builtins",
                                       "stubbed_imports", "quality", "lines", "opt_level"};

RecordMeta meta_of(const FieldReader& r) {
  for (auto it = r.json().begin(); it != r.json().end(); ++it) {
    if (std::find_if(std::begin(kMetaFields), std::end(kMetaFields), [&](const char* f) { return it.key() == f; }) ==
        std::end(kMetaFields)) {
      throw field_error(fmt::format("a field no record has: {}", r.name(it.key())));
    }
  }
  RecordMeta m;
  m.warp_version = r.text("warp_version");
  m.warpsynth_version = r.text("warpsynth_version");
  if (r.has("generator")) {
    const FieldReader g = r.object("generator");
    m.generator = GeneratorStamp{g.count("run_seed"), g.count("index"), g.text("seed"), g.text("template"),
                                 g.text("config_hash"), std::nullopt, {}};
    if (g.has("parent")) {
      const FieldReader p = g.object("parent");
      m.generator->parent = ParentStamp{p.text("id"), p.text("kernel"), p.text("file"), std::nullopt};
      if (p.maybe("package")) m.generator->parent->package = provenance_of(p.object("package"));
      m.generator->edits = g.texts("edits");
    }
  }
  if (r.has("source")) {
    const FieldReader s = r.object("source");
    m.source = RecordSource{s.text("file"), s.integer("line"), std::nullopt};
    if (s.maybe("package")) m.source->package = provenance_of(s.object("package"));
  }
  const Json& args = r.at("arg_types");
  if (!args.is_array()) throw field_error(fmt::format("a field of the wrong type: {} is a {}, not a list", r.name("arg_types"), kind_name(args)));
  for (const auto& arg : args) {
    const FieldReader a(arg, r.name("arg_types[]"));
    m.arg_types.push_back({a.text("name"), a.text("type")});
  }
  if (r.maybe("launch_dims")) m.launch_dims = r.integers("launch_dims");
  if (r.has("array_shapes")) {
    const FieldReader shapes = r.object("array_shapes");
    m.array_shapes.emplace();
    for (auto it = shapes.json().begin(); it != shapes.json().end(); ++it) {
      m.array_shapes->emplace_back(it.key(), shapes.integers(it.key().c_str()));
    }
  }
  if (r.has("launch")) m.launch = launch_of(r.object("launch"));
  m.enable_backward = r.flag("enable_backward");
  const FieldReader block_dim = r.object("block_dim");
  m.block_dim = {block_dim.integer("cpu"), block_dim.integer("cuda")};
  m.cpu_blocks = r.flag("cpu_blocks");
  m.cuda_arch = r.integer("cuda_arch");
  const FieldReader preamble = r.object("preamble");
  m.preamble = {preamble.text("cpu"), preamble.text("cuda")};
  if (r.has("features")) m.features = features_of(r.object("features"));
  if (r.has("builtins")) m.builtins = r.texts("builtins");
  if (r.has("stubbed_imports")) m.stubbed_imports = r.texts("stubbed_imports");
  if (const Json* q = r.maybe("quality")) {
    try {
      m.quality = protocol::QualityMeasures::from_json(*q);
    } catch (const std::invalid_argument& e) {
      throw field_error(fmt::format("a field of the wrong type: {}{}", r.name("quality"), e.what()));
    }
  }
  m.lines = lines_of(r.object("lines"));
  if (r.has("opt_level")) m.opt_level = r.integer("opt_level");
  return m;
}

VerifyResults verify_of(const FieldReader& r) {
  VerifyResults v;
  for (auto it = r.json().begin(); it != r.json().end(); ++it) {
    if (it.key() == "run" || it.key() == "grad") {
      if (!it->is_object()) throw field_error(fmt::format("a field of the wrong type: {} is a {}, not an object", r.name(it.key()), kind_name(*it)));
      (it.key() == "run" ? v.run : v.grad) = *it;
    } else if (it->is_string()) {
      v.levels.emplace_back(it.key(), Verdict::parse(it->get<std::string>()));
    } else {
      throw field_error(fmt::format("a field of the wrong type: {} is a {}, not a verdict", r.name(it.key()), kind_name(*it)));
    }
  }
  return v;
}

// The fields every record has, each of its type: the first problem, or "" (issue 13: a stray file
// such as `{"a": 1}` is reported with its file and line, not counted).
std::string shape_problem(const Json& record) {
  if (!record.is_object()) return std::string("a JSON ") + record.type_name() + ", not an object";
  using Kind = Json::value_t;
  static const std::pair<const char*, Kind> kFields[] = {
      {"schema_version", Kind::number_unsigned}, {"id", Kind::string},     {"origin", Kind::string},
      {"kernel", Kind::string},                  {"python", Kind::string}, {"cpu", Kind::object},
      {"cuda", Kind::object},                    {"meta", Kind::object},   {"verify", Kind::object},
  };
  for (const auto& [name, kind] : kFields) {
    auto it = record.find(name);
    if (it == record.end()) return std::string("no field '") + name + "'";
    const bool fits = kind == Kind::number_unsigned ? it->is_number_integer() : it->type() == kind;
    if (!fits) {
      const char* wanted = kind == Kind::number_unsigned ? "an integer" : kind == Kind::string ? "a string" : "an object";
      return std::string("field '") + name + "' is " + (it->is_null() ? "null" : std::string("a ") + it->type_name()) +
             ", not " + wanted;
    }
  }
  if (record.size() != std::size(kFields)) {
    for (auto it = record.begin(); it != record.end(); ++it) {
      if (std::none_of(std::begin(kFields), std::end(kFields), [&](const auto& f) { return it.key() == f.first; })) {
        return "a field no record has: '" + it.key() + "'";
      }
    }
  }
  const std::string& origin = record["origin"].get_ref<const std::string&>();
  if (origin != "synthetic" && origin != "extracted") return "origin '" + origin + "' is neither synthetic nor extracted";
  return "";
}

}  // namespace

std::vector<std::pair<const char*, int>> LineCounts::named() const {
  return {{"python", python},
          {"cpu_forward", cpu_forward},
          {"cpu_backward", cpu_backward},
          {"cuda_forward", cuda_forward},
          {"cuda_backward", cuda_backward}};
}

const char* origin_name(Origin origin) { return origin == Origin::kExtracted ? "extracted" : "synthetic"; }

Record Record::from_json(const Json& j) {
  if (std::string problem = shape_problem(j); !problem.empty()) throw RecordFormatError(RecordFormatError::Kind::kShape, problem);
  const FieldReader r(j, "record");
  Record record;
  record.schema_version = r.json()["schema_version"].get<int>();
  record.id = r.text("id");
  record.origin = r.text("origin") == "extracted" ? Origin::kExtracted : Origin::kSynthetic;
  record.kernel = r.text("kernel");
  record.python = r.text("python");
  record.code = {device_code_of(FieldReader(j["cpu"], "cpu")), device_code_of(FieldReader(j["cuda"], "cuda"))};
  record.meta = meta_of(FieldReader(j["meta"], "meta"));
  record.verify = verify_of(FieldReader(j["verify"], "verify"));
  return record;
}

Record Record::parse(std::string_view line) {
  std::optional<Json> j = read_ordered_json(line);
  if (!j) throw RecordFormatError(RecordFormatError::Kind::kNotJson, "not JSON");
  return from_json(*j);
}

Json Record::to_json() const {
  Json j;
  j["schema_version"] = schema_version;
  j["id"] = id;
  j["origin"] = origin_name(origin);
  j["kernel"] = kernel;
  j["python"] = python;
  j["cpu"] = device_code_json(code.cpu);
  j["cuda"] = device_code_json(code.cuda);
  j["meta"] = meta_json(meta);
  j["verify"] = verify_json(verify);
  return j;
}

std::string Record::to_line() const { return json_line(to_json()); }

nlohmann::json meta_column_json(const RecordMeta& meta) {
  nlohmann::json j = meta_json(meta);  // keys sorted: the same text for the same meta
  for (const char* promoted : {"warp_version", "cuda_arch", "block_dim", "preamble"}) j.erase(promoted);
  return j;
}

}  // namespace warpsynth
