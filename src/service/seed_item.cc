#include "service/seed_item.h"

namespace imagemill::service {

nlohmann::json SeedItem(const StoredResult& r) {
  nlohmann::json labels = nlohmann::json::array();
  if (r.response.is_object() && r.response.contains("Labels") && r.response["Labels"].is_array()) {
    labels = r.response["Labels"];
  }
  return {{"id", r.id}, {"labels", labels}};
}

}  // namespace imagemill::service
