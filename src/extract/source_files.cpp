#include "extract/source_files.h"

#include "util/utf8.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace warpsynth {
namespace {

bool is_python_file(const fs::path& p) { return p.extension() == ".py"; }

bool skipped_folder(const fs::path& p) {
  std::string name = p.filename().string();
  return name == "__pycache__" || (!name.empty() && name[0] == '.');
}

}  // namespace

SourceList collect_sources(const std::vector<std::string>& inputs) {
  SourceList list;
  std::set<std::string> seen;
  std::size_t input_index = 0;
  auto add = [&](const fs::path& path, std::string label, bool explicit_file) {
    std::error_code ec;
    std::string canonical = fs::canonical(path, ec).string();
    if (ec || !seen.insert(canonical).second) return;
    list.files.push_back({canonical, escape_invalid_utf8(label), explicit_file, input_index});
  };

  for (; input_index < inputs.size(); ++input_index) {
    const std::string& input = inputs[input_index];
    fs::path path(input);
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      list.problems.push_back({input, "no such file or directory"});
    } else if (fs::is_regular_file(status)) {
      if (!is_python_file(path)) {
        list.problems.push_back({input, "not a Python file (expected a .py file or a folder)"});
      } else {
        add(path, path.filename().string(), true);
      }
    } else if (fs::is_directory(status)) {
      fs::path root = fs::canonical(path);
      std::string root_name = root.filename().string();
      std::vector<std::pair<std::string, fs::path>> found;
      for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory() && skipped_folder(it->path())) {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file() && is_python_file(it->path())) {
          found.emplace_back(root_name + "/" + fs::relative(it->path(), root).generic_string(), it->path());
        }
      }
      if (ec) list.problems.push_back({input, "cannot read folder: " + ec.message()});
      std::sort(found.begin(), found.end());
      for (auto& [label, file] : found) add(file, label, false);
    } else {
      list.problems.push_back({input, "not a regular file or folder"});
    }
  }
  return list;
}

}  // namespace warpsynth
