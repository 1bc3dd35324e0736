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

// Every `.py` under `root` as {label, path}, where the label is `<root's name>/<relative path>`.
// A folder that cannot be read (no permission, removed meanwhile) is a problem named by its label:
// it was skipped in silence before (issue 13); the rest of the tree is still walked. Links to
// folders are not followed (as std::filesystem's recursive iterator does by default).
void walk_folder(const fs::path& root, std::vector<std::pair<std::string, fs::path>>& found,
                 std::vector<InputProblem>& problems_out) {
  std::vector<InputProblem> problems;
  const std::string root_name = root.filename().string();
  auto label_of = [&](const fs::path& p) {
    return p == root ? root_name : root_name + "/" + fs::relative(p, root).generic_string();
  };
  std::vector<fs::path> folders{root};
  while (!folders.empty()) {
    fs::path folder = std::move(folders.back());
    folders.pop_back();
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
        if (!skipped_folder(it->path())) folders.push_back(it->path());
      } else if (it->is_regular_file(type_ec) && is_python_file(it->path())) {
        found.emplace_back(label_of(it->path()), it->path());
      }
    }
    if (ec) problems.push_back({escape_invalid_utf8(label_of(folder)), "cannot read folder: " + ec.message()});
  }
  std::sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) { return a.input < b.input; });
  problems_out.insert(problems_out.end(), problems.begin(), problems.end());
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
      std::vector<std::pair<std::string, fs::path>> found;
      walk_folder(root, found, list.problems);
      std::sort(found.begin(), found.end());
      for (auto& [label, file] : found) add(file, label, false);
    } else {
      list.problems.push_back({input, "not a regular file or folder"});
    }
  }
  return list;
}

}  // namespace warpsynth
