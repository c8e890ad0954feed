#include "cli/processors.h"

#include "workflow/noop_processor.h"

namespace imagemill::cli {

std::vector<std::string> ProcessorNames() { return {"none"}; }

std::string DefaultProcessorName() { return "none"; }

Result<std::unique_ptr<Processor>> MakeProcessor(const ProcessorSettings& s) {
  if (s.name == "none") return std::unique_ptr<Processor>(std::make_unique<NoopProcessor>());
  std::string known;
  for (const std::string& n : ProcessorNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown processor '" + s.name + "' (known: " + known + ")");
}

}  // namespace imagemill::cli
