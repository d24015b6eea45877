// The dashboard page's static files, embedded in the binary at build time
// (generated from services/aggregator/api/web/ by embed_assets.cmake): the
// page loads nothing from anywhere else.
#ifndef JIT_SERVICES_AGGREGATOR_API_WEB_ASSETS_H_
#define JIT_SERVICES_AGGREGATOR_API_WEB_ASSETS_H_

#include <string_view>
#include <vector>

namespace jit::aggregator::web {

struct Asset {
  std::string_view path;          // "index.html", "app.js", "app.css"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view data;
};

const std::vector<Asset>& Assets();

}  // namespace jit::aggregator::web

#endif  // JIT_SERVICES_AGGREGATOR_API_WEB_ASSETS_H_
