// The seed's DynamoDB item for a stored answer, as its Lambda writes it: the table's key `id`
// (the object's key) and `labels` (DetectLabels' Labels). The DynamoDB API and `imagemill get
// --seed-item` answer with it.
#pragma once

#include <nlohmann/json.hpp>

#include "workflow/records.h"

namespace imagemill::service {

nlohmann::json SeedItem(const StoredResult& result);

}  // namespace imagemill::service
