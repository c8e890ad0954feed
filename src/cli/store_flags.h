// The command-line flags that configure object stores, shared by every command that opens one
// (run, and the result writer's destination): they fill a StoreOptions. Unset flags leave the
// AWS environment and profiles to decide (see storage/aws_config.h).
#pragma once

#include <CLI/CLI.hpp>

#include "objectstore/object_store.h"

namespace imagemill::cli {

// Adds --endpoint-url, --region, --profile, --s3-addressing, --max-object-bytes,
// --store-connect-timeout-ms and --store-request-timeout-ms to `command`, writing into
// `options`, which must outlive the parse.
void AddStoreFlags(CLI::App& command, StoreOptions& options);

}  // namespace imagemill::cli
