// Processor: the per-item work of a map run, the seed's child workflow (label one image and
// answer in Rekognition's DetectLabels shape). The engine fetches an object's bytes and then
// drives a processor in two stages, so decoding can run ahead of inference on other threads:
//
//   Prepare(item, bytes)  any thread, thread-safe: sniff, decode, pre-process.
//   worker->Process(p)    on the worker that owns `worker` (a network is not thread-safe).
//
// Expected failures are values: Corrupt, Unsupported, TooLarge fail that item only;
// NotAnImage marks an object that is not an image at all, counted as skipped.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "objectstore/object_store.h"
#include "util/status.h"
#include "workflow/records.h"

namespace imagemill {

// What Prepare hands to Process; each processor defines its own.
class PreparedItem {
 public:
  virtual ~PreparedItem() = default;
};

// What a processor answers for one item: the response (e.g. DetectLabels') and the names a query
// can find it by (labels and their parents, each with a confidence). The engine stores both and
// reads neither.
struct Answer {
  nlohmann::json response;
  std::vector<IndexEntry> index;
  // True: the answer is the object's listing entry (workflow/listing_answer.h), `response` is
  // ignored, and the results table stores the entry's fields instead of its text.
  bool listing = false;
};

// Per-worker state. Used by one thread at a time; owned by that worker.
class ProcessorWorker {
 public:
  virtual ~ProcessorWorker() = default;
  virtual Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) = 0;
};

class Processor {
 public:
  virtual ~Processor() = default;

  // A short identifier of the processor and the settings that change its answers, stored with
  // each result ("image-properties", "labels/nanodet-320"). Thread-safe.
  virtual std::string Name() const = 0;

  // The family of answer it gives: "labels" (DetectLabels), "faces", "text", "inventory". The
  // results table keeps one answer per object and kind, so answers of one kind never replace
  // another's. Thread-safe.
  virtual std::string Kind() const = 0;

  // Stage 1. Thread-safe; may be called from many threads at once. Takes ownership of `bytes`.
  virtual Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                        std::string bytes) const = 0;

  // Stage 2 state for one worker thread. Thread-safe. May fail (e.g. a model that will not load):
  // that aborts the run, since no item could be processed.
  virtual Result<std::unique_ptr<ProcessorWorker>> NewWorker() const = 0;

  // False for a processor that answers from the listing alone (key, size, ETag): the engine then
  // never reads the objects, and Prepare gets empty bytes.
  virtual bool ReadsObjects() const { return true; }
};

}  // namespace imagemill
