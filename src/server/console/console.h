// Console: the web console `imagemill serve` serves at `/` — pages to follow executions (list with
// live progress, one execution, a form to start a run) and to browse the labelled images (gallery,
// search, one image with its boxes) — from the same execution service and results table as the
// AWS APIs.
//
//   GET  /, /console/                 the page (one HTML page; the script draws each view)
//   GET  /console/assets/NAME         its script and style sheet (console_assets.h)
//   GET  /console/api/session         {"open", "signedIn"}
//   POST /console/api/signin          {"keyId", "secret"}: a session cookie (console_auth.h)
//   POST /console/api/signout
//   /console/api/executions...        executions_api.h
//   /console/api/gallery, facets, image, /console/rendition    gallery_api.h
//
// Everything but the page, its assets and the session calls needs a session when the console is
// not open (401 otherwise); every POST passes ConsoleAuth::CheckPost (403 otherwise). Every answer
// forbids framing and scripts from elsewhere (Content-Security-Policy). The API calls run on the
// server's request pool; a full pool answers 503.
#pragma once

#include <memory>

#include "server/console/console_auth.h"
#include "server/console/executions_api.h"
#include "server/console/gallery_api.h"
#include "server/http_server.h"
#include "server/work_pool.h"

namespace imagemill::server::console {

class Console {
 public:
  // All must outlive the console.
  Console(ConsoleAuth& auth, ExecutionsApi& executions, GalleryApi& gallery, WorkPool& pool);

  // The server's page handler (serve_app.h): true when the request is the console's.
  bool Handle(const Request& request, const Responder& respond);

  // The answer to `request` (on the calling thread). For tests, and for Handle's pool tasks.
  Response Answer(const Request& request);

 private:
  Response Api(const Request& request, std::string_view path);

  ConsoleAuth& auth_;
  ExecutionsApi& executions_;
  GalleryApi& gallery_;
  WorkPool& pool_;
};

}  // namespace imagemill::server::console
