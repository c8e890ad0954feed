// "Did you mean ...?" for a mistyped command or flag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace imagemill::cli {

// The candidate nearest to `word` (edit distance, at most a third of its length), or "".
std::string Nearest(std::string_view word, const std::vector<std::string>& candidates);

// A line naming the nearest command or flag for the first word of argv that `app` does not know,
// or "" when there is none (or nothing near).
std::string SuggestFor(const CLI::App& app, int argc, const char* const* argv);

}  // namespace imagemill::cli
