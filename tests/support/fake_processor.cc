#include "support/fake_processor.h"

#include <sstream>

namespace imagemill::testing {
namespace {

struct FakePrepared final : PreparedItem {
  std::string word;
  double confidence = 0;
  bool wait = false;
};

}  // namespace

class FakeWorker final : public ProcessorWorker {
 public:
  explicit FakeWorker(const FakeProcessor& p) : p_(p) {}
  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    auto& f = static_cast<FakePrepared&>(prepared);
    if (f.wait) {
      std::unique_lock<std::mutex> lock(p_.mu_);
      p_.opened_cv_.wait(lock, [&] { return p_.opened_; });
    }
    p_.Note(item.key);
    Answer a;
    a.response = {{"Labels",
                   {{{"Name", f.word}, {"Confidence", f.confidence}, {"Parents", {{{"Name", "Thing"}}}}}}}};
    a.index = {{f.word, f.confidence, true}, {"Thing", f.confidence, false}};
    return a;
  }

 private:
  const FakeProcessor& p_;
};

Result<std::unique_ptr<PreparedItem>> FakeProcessor::Prepare(const ObjectInfo& item,
                                                             std::string bytes) const {
  if (bytes.starts_with("corrupt")) {
    Note(item.key);
    return Status::Corrupt(item.key + ": not a valid image (re-export or remove it)");
  }
  if (bytes.starts_with("text")) return Status::NotAnImage(item.key + ": not an image");
  auto p = std::make_unique<FakePrepared>();
  std::istringstream in(bytes);
  in >> p->word >> p->confidence;
  p->wait = p->word == "wait";
  return std::unique_ptr<PreparedItem>(std::move(p));
}

Result<std::unique_ptr<ProcessorWorker>> FakeProcessor::NewWorker() const {
  return std::unique_ptr<ProcessorWorker>(std::make_unique<FakeWorker>(*this));
}

void FakeProcessor::Open() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    opened_ = true;
  }
  opened_cv_.notify_all();
}

void FakeProcessor::Note(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  ++processed_[key];
  ++total_;
}

int FakeProcessor::ProcessedCount(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = processed_.find(key);
  return it == processed_.end() ? 0 : it->second;
}

}  // namespace imagemill::testing
