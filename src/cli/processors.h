// The processors `run --processor` can name. The default is the one a user of the seed expects.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"
#include "workflow/processor.h"

namespace imagemill::cli {

struct ProcessorSettings {
  std::string name;  // as given to --processor
  uint64_t max_pixels = 100'000'000;
};

// InvalidArgument, listing the known names, for an unknown one.
Result<std::unique_ptr<Processor>> MakeProcessor(const ProcessorSettings& settings);
std::vector<std::string> ProcessorNames();
std::string DefaultProcessorName();

}  // namespace imagemill::cli
