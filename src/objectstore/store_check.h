// Opening a store for a run, with the start-up check: a command calls this for its SOURCE and
// its --result-writer destination before any work, and exits with a usage error (2) when it
// fails, so a wrong endpoint, missing bucket or refused credentials never surface as a run
// whose every item failed.
#pragma once

#include <memory>
#include <string_view>

#include "objectstore/object_store.h"

namespace imagemill {

// Opens the store `uri` names (OpenObjectStore) and lists one key under the URI's prefix. Ok
// means the endpoint answers, the bucket or folder exists and the credentials may list it.
// Otherwise the Status of the first failure, its message naming the store and saying what to fix
// (NotFound: no such bucket or folder; PermissionDenied: unknown key id, wrong secret, access
// denied; Io: endpoint unreachable; InvalidArgument: malformed URI, wrong region, bad profile).
Result<std::unique_ptr<ObjectStore>> OpenCheckedStore(std::string_view uri,
                                                      const StoreOptions& options);

}  // namespace imagemill
