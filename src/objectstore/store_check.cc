#include "objectstore/store_check.h"

namespace imagemill {

Result<std::unique_ptr<ObjectStore>> OpenCheckedStore(std::string_view uri,
                                                      const StoreOptions& options) {
  Result<StoreLocation> location = ParseStoreUri(uri);
  if (!location.ok()) return location.status();
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(uri, options);
  if (!store.ok()) return store.status();
  Result<ListPage> probe = (*store)->List(location->prefix, "", 1);
  if (!probe.ok()) return probe.status();
  return store;
}

}  // namespace imagemill
