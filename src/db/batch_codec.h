// How a database backend stores a batch's items and its succeeded outcomes in one field each:
// one write per batch instead of one row per item.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workflow/records.h"

namespace imagemill {

// The items of a batch: per item its key, size, ETag and LastModified, each string as
// "<length>:<bytes>" and the size as "<decimal>:". Any bytes round-trip (a key that is not UTF-8
// too), and reading it back costs a scan, not a JSON parse. Decode throws DatabaseError on text
// that is not such a list.
std::string EncodeBatchItems(const std::vector<ObjectInfo>& items);
std::vector<ObjectInfo> DecodeBatchItems(std::string_view text);

// The succeeded outcomes of a batch (or a part of one): per item what EncodeBatchItems writes,
// then its start and stop times (Unix ms) and attempts as "<decimal>:". Outcomes that did not
// succeed are left out. Decode throws DatabaseError on text that is not such a list.
std::string EncodeSucceeded(const std::vector<ItemOutcome>& outcomes);
std::vector<ItemOutcome> DecodeSucceeded(std::string_view text);

}  // namespace imagemill
