#include "objectstore/store_check.h"

#include "util/retry.h"

namespace imagemill {

Result<std::unique_ptr<ObjectStore>> OpenCheckedStore(std::string_view uri,
                                                      const StoreOptions& options) {
  Result<StoreLocation> location = ParseStoreUri(uri);
  if (!location.ok()) return location.status();
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(uri, options);
  if (!store.ok()) return store.status();
  // A short patience: a store that is down should say so at once, not after minutes.
  RetryPolicy quick;
  quick.interval_seconds = 0.2;
  quick.max_attempts = 3;
  Result<ListPage> probe = CallWithRetry<ListPage>(
      quick, Clock::Real(), [&] { return (*store)->List(location->prefix, "", 1); });
  if (!probe.ok()) return probe.status();
  return store;
}

}  // namespace imagemill
