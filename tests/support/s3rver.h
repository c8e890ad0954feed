// A real S3 server for tests: the npm package s3rver (3.7.x), installed pinned into the cache by
// scripts/fetch-npm-tools.sh (run on first use), started on 127.0.0.1 on a free port and stopped
// when the test process ends. Data lives in a temporary folder. s3rver checks the access key id
// (S3RVER) but not SigV4 signatures: tests/objectstore/s3_signature_test.cc proves those.
//
// Debian's awscli (/usr/bin/aws) is the independent client that puts data there and reads back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "objectstore/s3_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace imagemill::testing {

class S3rver {
 public:
  // The server of this test process, started on first use. Fails the calling test (ADD_FAILURE)
  // and returns nullptr when it cannot be installed or started.
  static S3rver* Shared();

  ~S3rver();

  const std::string& endpoint_url() const { return endpoint_url_; }

  // A new, empty bucket with a unique name, made with awscli. Empty on failure (reported).
  std::string CreateBucket();

  // Runs `/usr/bin/aws --endpoint-url <server> <args...>` with the server's credentials and no
  // user configuration. stdin_data goes to its standard input.
  CommandResult Aws(const std::vector<std::string>& args, const std::string& stdin_data = "",
                    bool capture_stderr = true) const;

  // The store configuration for `bucket` on this server with the given credentials.
  S3Store::Config StoreConfig(const std::string& bucket, const std::string& access_key = "S3RVER",
                              const std::string& secret = "S3RVER") const;

 private:
  S3rver() = default;
  bool Start(std::string* error);

  TempDir data_;
  std::unique_ptr<ChildProcess> process_;
  std::string endpoint_url_;
  int bucket_counter_ = 0;
};

// A free TCP port on 127.0.0.1 at the moment of the call.
int FreeLoopbackPort();

}  // namespace imagemill::testing
