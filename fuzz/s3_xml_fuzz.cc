// libFuzzer target for the XML an S3 endpoint sends (storage/s3_xml.h): listings and error
// documents are untrusted bytes from the network. Not part of the default build; with clang:
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     fuzz/s3_xml_fuzz.cc src/objectstore/s3_xml.cc src/util/status.cc -o build/s3_xml_fuzz
//   build/s3_xml_fuzz -max_total_time=60 -max_len=4096
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "objectstore/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  imagemill::Result<imagemill::ListBucketResult> listing = imagemill::ParseListBucketResult(bytes);
  if (listing.ok()) {
    for (const imagemill::ObjectInfo& o : listing->objects) {
      // A parsed listing always names its keys.
      if (o.key.empty()) __builtin_trap();
    }
  }
  (void)imagemill::ParseS3Error(bytes);
  (void)imagemill::UrlDecode(bytes);
  return 0;
}
