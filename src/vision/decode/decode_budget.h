// DecodeBudget: bounds the memory that images being decoded hold at once, across threads.
//
// A map run decodes on every worker at once. A 100-megapixel PNG takes about 600 MB while it is
// decoded and until its caller has shrunk it; two or more at once on a small machine were what
// ran it out of memory. DecodeImage therefore takes a lease on a process-wide budget before it
// decodes, sized by an estimate of the decoder's peak (LeaseBytes), and the lease lives in the
// Image: it is returned when the caller drops the full-size pixels.
//
//   - Leases together stay within the budget; a decode that does not fit waits until enough is
//     returned. One lease larger than the whole budget is granted when no other is held, so any
//     image under the pixel limit decodes, alone.
//   - A thread that already holds a lease never waits for another (it is granted at once, over
//     the budget if need be): a caller that keeps several images alive, e.g. a test or a
//     benchmark on one thread, cannot wait on itself. So the bound holds for callers that hold
//     one full-size image per thread at a time, as every processor does.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace imagemill::vision {

// The default budget: 768 MiB of estimated decoder memory across the process.
inline constexpr uint64_t kDefaultDecodeBudgetBytes = 768ull << 20;

class DecodeBudget {
 public:
  explicit DecodeBudget(uint64_t limit_bytes) : limit_(limit_bytes) {}
  DecodeBudget(const DecodeBudget&) = delete;
  DecodeBudget& operator=(const DecodeBudget&) = delete;

  // The budget DecodeImage uses unless told otherwise: kDefaultDecodeBudgetBytes, or
  // $IMAGEMILL_DECODE_BUDGET_MB mebibytes when set to a positive whole number (read once).
  static DecodeBudget& Default();

  // Blocks until `bytes` fit (rules above) and returns the lease; destroying the last copy of it
  // (on any thread) returns the bytes. REQUIRES: the budget outlives its leases.
  std::shared_ptr<const void> Acquire(uint64_t bytes);

  uint64_t limit() const { return limit_; }
  uint64_t in_use() const;
  // The most ever leased at once: what tests and benchmarks check the bound against.
  uint64_t peak() const;

 private:
  class Lease {
   public:
    Lease(DecodeBudget& budget, uint64_t bytes, std::thread::id owner)
        : budget_(budget), bytes_(bytes), owner_(owner) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    DecodeBudget& budget_;
    const uint64_t bytes_;
    const std::thread::id owner_;
  };
  void Release(uint64_t bytes, std::thread::id owner);

  const uint64_t limit_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  uint64_t in_use_ = 0;                     // guarded by mu_
  uint64_t peak_ = 0;                       // guarded by mu_
  std::map<std::thread::id, int> holders_;  // leases held per thread; guarded by mu_
};

// The estimated peak bytes of decoding an image to `pixels` decoded pixels: the BGR result plus
// the decoder's own buffers (libpng's or libheif's rows and planes), 6 bytes a pixel.
uint64_t LeaseBytes(uint64_t pixels);

}  // namespace imagemill::vision
