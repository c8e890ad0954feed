#include "cli/store_flags.h"

#include <map>
#include <string>

namespace imagemill::cli {

void AddStoreFlags(CLI::App& command, StoreOptions& options) {
  command.add_option("--endpoint-url", options.endpoint_url,
                     "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default: "
                     "AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)");
  command.add_option("--region", options.region,
                     "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)");
  command.add_option("--profile", options.profile,
                     "AWS profile from ~/.aws/credentials and ~/.aws/config (default: "
                     "AWS_PROFILE)");
  static const std::map<std::string, StoreOptions::Addressing> kStyles = {
      {"auto", StoreOptions::Addressing::kAuto},
      {"path", StoreOptions::Addressing::kPath},
      {"virtual", StoreOptions::Addressing::kVirtual}};
  command
      .add_option("--s3-addressing", options.addressing,
                  "auto (path-style for custom endpoints, virtual-hosted for AWS), path or "
                  "virtual")
      ->transform(CLI::CheckedTransformer(kStyles, CLI::ignore_case));
  command
      .add_option("--max-object-bytes", options.max_object_bytes,
                  "refuse objects larger than this (TooLarge); 0: no limit")
      ->capture_default_str();
  command.add_option("--store-connect-timeout-ms", options.connect_timeout_ms)
      ->capture_default_str();
  command.add_option("--store-request-timeout-ms", options.request_timeout_ms)
      ->capture_default_str();
}

}  // namespace imagemill::cli
