// One stored answer as one short line of text, for `results` and `query` listings.
#pragma once

#include <string>

#include "workflow/records.h"

namespace imagemill::service {

// "Dog 92.1, Bicycle 85.0" for labels; a face count, a text's lines, an inventory row's size
// and ETag; without labels, the image's brightness, sharpness and dominant colours, each colour
// named once with its share of the pixels, largest first.
std::string ResultSummary(const StoredResult& r);

}  // namespace imagemill::service
