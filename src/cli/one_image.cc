#include "cli/one_image.h"

#include <iostream>

#include "cli/command.h"
#include "objectstore/local_store.h"
#include "vision/decode/image.h"
#include "vision/labels/annotate.h"

namespace imagemill::cli {

int AnswerOneImageCommand(const OneImageRequest& r) {
  const std::string who = "imagemill " + r.command + ": ";
  Result<std::string> read = ReadRegularFile(r.image, 0);
  if (!read.ok()) {
    std::cerr << who << "cannot read " << read.status().message() << "\n";
    return kExitUsage;
  }
  const std::string bytes = std::move(read).value();
  if (!r.annotate.empty() && !vision::IsAnnotationPath(r.annotate)) {
    std::cerr << who << "--annotate " << r.annotate
              << ": give a name ending in .jpg, .jpeg or .png\n";
    return kExitUsage;
  }

  Result<std::unique_ptr<Processor>> processor = service::MakeProcessor(r.settings);
  if (!processor.ok()) {
    std::cerr << who << processor.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<ProcessorWorker>> worker = (*processor)->NewWorker();
  if (!worker.ok()) {
    std::cerr << who << worker.status().message() << "\n";
    return kExitUsage;
  }
  Result<Answer> answer = service::AnswerOneImage(**processor, **worker, r.image, bytes);
  if (!answer.ok()) {
    std::cerr << who << answer.status().ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << answer->response.dump(2) << std::endl;
  if (r.annotate.empty()) return kExitOk;

  vision::DecodeOptions decode;
  decode.max_pixels = r.settings.max_pixels;
  Result<vision::Image> image = vision::DecodeImage(bytes, r.image, decode);
  if (!image.ok()) {
    std::cerr << who << image.status().ToString() << "\n";
    return kExitRunFailed;
  }
  const Status written = vision::WriteAnnotated(r.draw(image->bgr, answer->response), r.annotate);
  if (!written.ok()) {
    std::cerr << who << written.message() << "\n";
    return kExitRunFailed;
  }
  std::cerr << "imagemill: drew the answer onto " << r.annotate << "\n";
  return kExitOk;
}

}  // namespace imagemill::cli
