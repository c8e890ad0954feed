#include "cli/processors.h"

#include "vision/image_properties_processor.h"
#include "workflow/noop_processor.h"

namespace imagemill::cli {

std::vector<std::string> ProcessorNames() { return {"image-properties", "none"}; }

std::string DefaultProcessorName() { return "image-properties"; }

Result<std::unique_ptr<Processor>> MakeProcessor(const ProcessorSettings& s) {
  if (s.name == "none") return std::unique_ptr<Processor>(std::make_unique<NoopProcessor>());
  if (s.name == "image-properties") {
    vision::ImagePropertiesProcessorOptions o;
    o.max_pixels = s.max_pixels;
    return std::unique_ptr<Processor>(std::make_unique<vision::ImagePropertiesProcessor>(o));
  }
  std::string known;
  for (const std::string& n : ProcessorNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown processor '" + s.name + "' (known: " + known + ")");
}

}  // namespace imagemill::cli
