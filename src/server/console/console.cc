#include "server/console/console.h"

#include <nlohmann/json.hpp>

#include "server/console/console_assets.h"

namespace imagemill::server::console {

namespace {

constexpr std::string_view kApi = "/console/api/";
constexpr std::string_view kAssets = "/console/assets/";
constexpr std::string_view kRendition = "/console/rendition";

// Scripts, styles and images from this server only; no framing; no inline script.
void AddSecurityHeaders(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "script-src 'self'; frame-ancestors 'none'; form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

Response AssetResponse(std::string_view name) {
  for (const Asset& a : Assets()) {
    if (a.name != name) continue;
    Response r;
    r.content_type = std::string(a.content_type);
    r.body = std::string(a.body);
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  return ErrorResponse(404, "no console asset named " + std::string(name));
}

}  // namespace

Console::Console(ConsoleAuth& auth, ExecutionsApi& executions, GalleryApi& gallery, WorkPool& pool)
    : auth_(auth), executions_(executions), gallery_(gallery), pool_(pool) {}

bool Console::Handle(const Request& request, const Responder& respond) {
  const std::string_view path = request.Path();
  if (path != "/" && !path.starts_with("/console")) return false;
  // POST / is the AWS APIs' (an answer naming the missing X-Amz-Target), never the page.
  if (path == "/" && request.method != "GET") return false;
  if (!path.starts_with(kApi) && !path.starts_with(kRendition)) {
    respond(Answer(request));  // the page and its assets: in memory, answered at once
    return true;
  }
  auto task = [this, request, respond](int) { respond(Answer(request)); };
  if (!pool_.TrySubmit(std::move(task))) {
    Response busy = ErrorResponse(503, "the server is busy: try again in a moment");
    AddSecurityHeaders(busy);
    respond(std::move(busy));
  }
  return true;
}

Response Console::Answer(const Request& request) {
  const std::string_view path = request.Path();
  Response r;
  if (request.method != "GET" && request.method != "POST") {
    r = ErrorResponse(405, "the console answers GET and POST only");
  } else if (path == "/" || path == "/console" || path == "/console/") {
    r = AssetResponse("index.html");
  } else if (path.starts_with(kAssets)) {
    r = AssetResponse(path.substr(kAssets.size()));
  } else if (path.starts_with(kApi) || path == kRendition) {
    r = Api(request, path);
  } else {
    r = ErrorResponse(404, "the console has no page " + std::string(path));
  }
  AddSecurityHeaders(r);
  return r;
}

Response Console::Api(const Request& request, std::string_view path) {
  using Json = nlohmann::json;
  const bool post = request.method == "POST";
  if (post) {
    if (std::string why = auth_.CheckPost(request); !why.empty()) return ErrorResponse(403, why);
  }
  const std::string_view call = path.starts_with(kApi) ? path.substr(kApi.size()) : path;
  if (call == "session") {
    return JsonResponse(200, {{"open", auth_.open()}, {"signedIn", auth_.SignedIn(request)}});
  }
  if (call == "signin" && post) {
    const Json in = Json::parse(request.body, nullptr, false);
    if (!in.is_object() || !in.value("keyId", Json()).is_string() ||
        !in.value("secret", Json()).is_string()) {
      return ErrorResponse(400, "sign in with {\"keyId\": ..., \"secret\": ...}");
    }
    std::optional<std::string> cookie = auth_.SignIn(in["keyId"], in["secret"]);
    if (!cookie) {
      return ErrorResponse(401,
                           "that access key and secret are not one of the server's keys "
                           "(--credentials, AWS_ACCESS_KEY_ID): check both");
    }
    Response r = JsonResponse(200, {{"signedIn", true}});
    r.headers.emplace_back("Set-Cookie", *cookie);
    return r;
  }
  if (call == "signout" && post) {
    Response r = JsonResponse(200, {{"signedIn", false}});
    r.headers.emplace_back("Set-Cookie", auth_.SignOut(request));
    return r;
  }
  if (!auth_.SignedIn(request)) {
    return ErrorResponse(401, "sign in with one of the server's access keys first");
  }
  const QueryParams query(request.Query());
  if (call == kRendition && !post) return gallery_.Rendition(query);
  if (call == "gallery" && !post) return gallery_.Gallery(query);
  if (call == "facets" && !post) return gallery_.Facets(query);
  if (call == "image" && !post) return gallery_.Image(query);
  if (call == "executions") return post ? executions_.Start(request.body) : executions_.List(query);
  if (call.starts_with("executions/")) {
    std::string rest = FormDecode(call.substr(std::string_view("executions/").size()));
    const size_t slash = rest.find('/');
    const std::string name = rest.substr(0, slash);
    const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (!post && action.empty()) return executions_.Describe(name);
    if (post && action == "stop") return executions_.Stop(name);
    if (post && action == "redrive") return executions_.Redrive(name);
  }
  return ErrorResponse(404, "the console's API has no " + std::string(request.method) + " " +
                                std::string(path));
}

}  // namespace imagemill::server::console
