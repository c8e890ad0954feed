// GalleryApi: the console's JSON about labelled images, and their renditions.
//
//   GET /console/api/gallery?label=&min=&category=&source=&limit=&after_source=&after_id=&after_conf=
//        a page of answers (100 by default, at most 500), each with its source, key and labels;
//        `next` holds the after_* of the following page (null on the last). A label finds its
//        parents' children too (Animal finds dogs), at >= min confidence. `category` keeps the
//        answers with a label of that category: it filters the page read, so a page may hold
//        fewer than `limit` (paging goes on from `next` all the same).
//   GET /console/api/facets?source=      the most frequent labels with their counts
//   GET /console/api/image?source=&id=   one stored answer: the full DetectLabels answer, its
//                                        execution, processor (the model), ETag and time
//   GET /console/rendition?source=&id=&size=   a JPEG rendition (thumbnails.h), never the original
//
// An object is read only when the results table holds an answer for (source, id): a URL naming
// anything else gets 404 and reads nothing. Thread-safe; calls may wait on the database or the
// object store, so they run on the server's request pool.
#pragma once

#include "db/results_table.h"
#include "server/console/query_params.h"
#include "server/console/thumbnails.h"
#include "server/http_message.h"

namespace imagemill::server::console {

class GalleryApi {
 public:
  // Both must outlive this.
  GalleryApi(ResultsTable& results, RenditionCache& renditions);

  Response Gallery(const QueryParams& query);
  Response Facets(const QueryParams& query);
  Response Image(const QueryParams& query);
  Response Rendition(const QueryParams& query);

 private:
  ResultsTable& results_;
  RenditionCache& renditions_;
};

}  // namespace imagemill::server::console
