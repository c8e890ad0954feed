#include "server/events/events_routes.h"

namespace imagemill::server {

ServiceInfo EventsService() { return {"AWSEvents", "events", "1.1", "ThrottlingException"}; }

void RegisterEventsApi(events::EventsApi& api, ApiRouter& router) {
  router.AddService(EventsService());
  for (const std::string& operation : events::EventsApi::Operations()) {
    router.AddOperation("AWSEvents." + operation, Lane::kPool,
                        [&api, operation](const Json& request) -> AwsResult<Json> {
                          events::ApiResult r = api.Handle(operation, request);
                          if (r.ok()) return r.body();
                          return AwsError{r.http_status(), r.error().type, r.error().message};
                        });
  }
}

}  // namespace imagemill::server
