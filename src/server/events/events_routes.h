// EventBridge's operations (AWSEvents.*, the AWS JSON 1.1 protocol, signing name "events") on the
// server's router: each runs events::EventsApi on the request pool (PutEvents may start
// executions, the rest read or write the rule store).
#pragma once

#include "events/events_api.h"
#include "server/api_router.h"

namespace imagemill::server {

ServiceInfo EventsService();

// Adds the service and every operation EventsApi knows. `api` must outlive `router`.
void RegisterEventsApi(events::EventsApi& api, ApiRouter& router);

}  // namespace imagemill::server
