// Measures S3Store against an S3 endpoint: listing rate (keys/s, ListObjectsV2 pages of 1,000)
// and object fetch rate (GetObject with a pool of threads, bodies kept in memory). Credentials,
// region and endpoint are resolved as the AWS CLI does (environment, profiles, --endpoint-url).
// bench/s3_bench.sh runs it against a local s3rver beside `aws s3 ls` and `aws s3 cp`.
//
//   s3_bench --endpoint-url http://127.0.0.1:4568 s3://bucket/prefix [--threads 10] [--repeat 3]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "objectstore/object_store.h"

namespace {

using Seconds = std::chrono::duration<double>;

int Usage() {
  std::fprintf(stderr,
               "usage: s3_bench [--endpoint-url URL] [--threads N] [--repeat N] s3://bucket/prefix\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  imagemill::StoreOptions options;
  int threads = 10;
  int repeat = 3;
  std::string uri;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--endpoint-url" && i + 1 < argc) {
      options.endpoint_url = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (uri.empty() && arg.starts_with("s3://")) {
      uri = arg;
    } else {
      return Usage();
    }
  }
  if (uri.empty() || threads < 1 || repeat < 1) return Usage();
  imagemill::Result<imagemill::StoreLocation> loc = imagemill::ParseStoreUri(uri);
  if (!loc.ok()) {
    std::fprintf(stderr, "%s\n", loc.status().ToString().c_str());
    return 2;
  }
  auto store = imagemill::OpenObjectStore(loc->store_uri, options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 2;
  }

  double best_list = 0;
  double best_fetch = 0;
  double best_mb = 0;
  size_t count = 0;
  for (int round = 0; round < repeat; ++round) {
    std::vector<std::string> keys;
    auto start = std::chrono::steady_clock::now();
    std::string after;
    for (;;) {
      auto page = (*store)->List(loc->prefix, after, 1000);
      if (!page.ok()) {
        std::fprintf(stderr, "list: %s\n", page.status().ToString().c_str());
        return 1;
      }
      for (const auto& o : page->objects) keys.push_back(o.key);
      if (!page->truncated) break;
      after = page->objects.back().key;
    }
    const double list_s = Seconds(std::chrono::steady_clock::now() - start).count();
    count = keys.size();
    if (keys.empty()) {
      std::fprintf(stderr, "no keys under %s\n", uri.c_str());
      return 1;
    }

    std::atomic<size_t> next{0};
    std::atomic<uint64_t> bytes{0};
    std::atomic<int> failures{0};
    start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        for (size_t i = next++; i < keys.size(); i = next++) {
          auto got = (*store)->Get(keys[i]);
          if (got.ok()) {
            bytes += got->size();
          } else if (failures++ == 0) {
            std::fprintf(stderr, "get: %s\n", got.status().ToString().c_str());
          }
        }
      });
    }
    for (auto& t : pool) t.join();
    const double fetch_s = Seconds(std::chrono::steady_clock::now() - start).count();
    if (failures > 0) return 1;
    std::printf("round %d: listed %zu keys in %.3f s (%.0f keys/s); fetched %zu objects, %.1f MB "
                "in %.3f s with %d threads (%.0f objects/s, %.1f MB/s)\n",
                round + 1, keys.size(), list_s, keys.size() / list_s, keys.size(), bytes / 1e6,
                fetch_s, threads, keys.size() / fetch_s, bytes / 1e6 / fetch_s);
    best_list = std::max(best_list, keys.size() / list_s);
    best_fetch = std::max(best_fetch, keys.size() / fetch_s);
    best_mb = std::max(best_mb, bytes / 1e6 / fetch_s);
  }
  std::printf("imagemill S3Store: %zu keys, best of %d: listing %.0f keys/s, fetch %.0f objects/s "
              "(%.1f MB/s, %d threads)\n",
              count, repeat, best_list, best_fetch, best_mb, threads);
  return 0;
}
