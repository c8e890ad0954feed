#include "cli/suggest.h"

#include <algorithm>

namespace imagemill::cli {
namespace {

size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> FlagNames(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& n : o->get_lnames()) out.push_back("--" + n);
  }
  return out;
}

}  // namespace

std::string Nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = word.size() / 3 + 1;
  for (const std::string& c : candidates) {
    const size_t d = Distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string SuggestFor(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* cmd = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--")) {
      std::string flag = arg.substr(0, arg.find('='));
      std::vector<std::string> known = FlagNames(cmd != nullptr ? *cmd : app);
      if (std::find(known.begin(), known.end(), flag) != known.end()) continue;
      std::string near = Nearest(flag, known);
      return near.empty() ? "" : "imagemill: no flag " + flag + "; did you mean " + near + "?";
    }
    if (arg.starts_with("-")) continue;
    const CLI::App* parent = cmd != nullptr ? cmd : &app;
    std::vector<std::string> names;
    const CLI::App* found = nullptr;
    for (const CLI::App* sub : parent->get_subcommands([](const CLI::App*) { return true; })) {
      names.push_back(sub->get_name());
      if (sub->get_name() == arg) found = sub;
    }
    if (found != nullptr) {
      cmd = found;
      continue;
    }
    if (cmd == nullptr || !names.empty()) {
      if (cmd != nullptr && cmd->get_subcommands([](const CLI::App*) { return true; }).empty()) {
        continue;  // a positional argument of the command
      }
      std::string near = Nearest(arg, names);
      if (!near.empty()) return "imagemill: no command '" + arg + "'; did you mean " + near + "?";
      return "";
    }
  }
  return "";
}

}  // namespace imagemill::cli
