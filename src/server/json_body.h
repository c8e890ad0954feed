// ParseJsonBody: a request body parsed as JSON, fast for the bodies that carry an image.
//
// A DetectLabels request carries its image as one base64 string of up to 7 MB, and nlohmann's
// parser reads strings a character at a time (tens of ms for a photo: as long as labelling it).
// So long plain strings — over 4 KiB of printable ASCII without quotes or backslashes, as base64
// is — are cut out before parsing, found with memchr, and put back as they are afterwards; the
// rest of the document goes through nlohmann as usual. The result equals nlohmann::json::parse's.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace imagemill::server {

// The parsed document, or a discarded value (is_discarded()) when `body` is not valid JSON.
nlohmann::json ParseJsonBody(std::string_view body);

}  // namespace imagemill::server
