// The inventory's answer: an object's listing entry, {"ETag", "Key", "LastModified", "Size"}, as
// compact JSON in the key order nlohmann gives an object, bytes that are not UTF-8 replaced by
// U+FFFD. An answer that is its object's listing entry (Answer::listing) is never stored as text:
// the engine hands it on as an outcome with an empty response, a results table keeps the
// object's fields (the key, size and ETag it stores for every answer, and LastModified) and
// builds the answer when it is read, so every reader gets the same bytes as if the text had been
// stored.
#pragma once

#include <string>

#include "objectstore/object_store.h"

namespace imagemill {

std::string ListingAnswer(const ObjectInfo& item);

// A stored answer as readers get it: `stored` itself, or, when it is empty (a listing answer),
// ListingAnswer(item) of the fields stored beside it.
std::string StoredAnswerText(std::string stored, const ObjectInfo& item);

}  // namespace imagemill
