// libFuzzer target for the AWS JSON request path of `imagemill serve`: the router
// (server/api_router.h) parses an untrusted body, and the DynamoDB API (dynamodb_api.h) reads
// the request's members of whatever JSON types they come in. The input is the body; the target
// header comes from its first byte. Every request must be answered once, with a JSON body.
// Built and run by `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/api_router.h"
#include "server/dynamodb/dynamodb_api.h"

namespace {

using namespace imagemill::server;  // NOLINT

struct Fixture {
  Fixture()
      : pool("fuzz", 1, 16),
        router(nullptr, metrics, imagemill::Clock::Real(), pool),
        api(Table(), items) {
    for (int i = 0; i < 20; ++i) {
      std::string id = "photos/" + std::to_string(i) + ".jpg";
      items.Put(id, {{"id", {{"S", id}}}, {"n", {{"N", std::to_string(i)}}}});
    }
    router.AddService(dynamodb::DynamoDbApi::Service());
    // Inline, so the fuzzer sees every operation run to its end on its own thread.
    for (const char* op :
         {"GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables"}) {
      std::string name = op;
      router.AddOperation("DynamoDB_20120810." + name, Lane::kInline,
                          [this, name](const Json& r) -> AwsResult<Json> {
                            if (name == "GetItem") return api.GetItem(r);
                            if (name == "BatchGetItem") return api.BatchGetItem(r);
                            if (name == "Query") return api.Query(r);
                            if (name == "Scan") return api.Scan(r);
                            if (name == "DescribeTable") return api.DescribeTable(r);
                            return api.ListTables(r);
                          });
    }
  }
  static dynamodb::TableConfig Table() {
    dynamodb::TableConfig t;
    t.name = "t";
    return t;
  }
  Metrics metrics;
  WorkPool pool;
  ApiRouter router;
  dynamodb::MemoryItemSource items;
  dynamodb::DynamoDbApi api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* f = new Fixture();
  static const char* kTargets[] = {"GetItem",       "BatchGetItem", "Query",  "Scan",
                                   "DescribeTable", "ListTables",   "PutItem"};
  Request r;
  r.method = "POST";
  r.target = "/";
  const size_t which = size > 0 ? data[0] % 7 : 0;
  r.headers = {{"X-Amz-Target", std::string("DynamoDB_20120810.") + kTargets[which]}};
  if (size > 0) r.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  int answers = 0;
  f->router.Handle(std::move(r), [&answers](Response response) {
    ++answers;
    if (!Json::accept(response.body)) __builtin_trap();
  });
  if (answers != 1) __builtin_trap();
  return 0;
}
