// Checks JSON requests and answers against the shapes of an AWS service model as Debian's
// python3-botocore ships it (botocore/data/<service>/<version>/service-2.json): the oracle for
// every AWS-shaped JSON imagemill writes or reads.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace imagemill::testing {

// The parsed model of `service` at `version` ("events", "2015-10-07"), or nullopt when
// python3-botocore is not installed. Loaded once per service.
const nlohmann::json* AwsServiceModel(const std::string& service, const std::string& version);

// Every way `value` departs from the shape named `shape` in `model`: members the shape does not
// have, required members missing, values of the wrong JSON type, strings and lists outside their
// length limits, numbers outside their range, strings outside an enum; recursively. Empty when
// `value` fits. For an answer (`answer` true) a list may be shorter than its minimum: the models
// share list shapes between requests and answers, and an answer says "none" with an empty list.
std::vector<std::string> AwsShapeErrors(const nlohmann::json& model, const nlohmann::json& value,
                                        const std::string& shape, bool answer = false);

}  // namespace imagemill::testing
