// The console's pages, script and style sheet (src/server/console/assets/), built into the
// binary by cmake/embed_assets.cmake: the server needs no file beside it and no network.
#pragma once

#include <string_view>
#include <vector>

namespace imagemill::server::console {

struct Asset {
  std::string_view name;          // "app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// Every asset, by name. Defined in the generated console_assets.cc.
const std::vector<Asset>& Assets();

}  // namespace imagemill::server::console
