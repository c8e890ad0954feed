// Identifiers: map-run ids and lease owners.
#pragma once

#include <string>

namespace imagemill {

// A random version-4 UUID, "1b4e28ba-2fa1-41d2-883f-0016d3cca427".
std::string NewUuid();

// Who holds a lease: "host:pid:nonce". Unique per call.
std::string NewOwnerId();

// True when `owner` (from NewOwnerId) names a process on this host that is no longer running,
// or an earlier owner in this very process. Owners on other hosts are never judged dead here:
// their leases expire instead.
bool OwnerIsDeadOnThisHost(const std::string& owner);

}  // namespace imagemill
