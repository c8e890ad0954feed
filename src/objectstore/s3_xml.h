// The two XML documents an S3 endpoint answers imagemill with: ListBucketResult (ListObjectsV2) and
// Error. Written by hand because no XML library is among imagemill's dependencies and these
// documents need only a small, strict subset of XML: elements, text, the five predefined entities,
// numeric character references, comments, CDATA and a prolog. Everything else (DTDs, processing
// instructions inside the document, entity declarations) is refused, so hostile bytes from a
// server can neither expand nor nest without bound. Fuzzed by fuzz/s3_xml_fuzz.cc.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "objectstore/object_store.h"
#include "util/status.h"

namespace imagemill {

// One element with its text (entities decoded, text of children excluded) and child elements.
// Attributes are parsed for well-formedness and dropped: S3 puts nothing in them we need.
struct XmlElement {
  std::string name;  // as written, namespace prefix included ("ListBucketResult")
  std::string text;
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
  // The text of the first child named `name`, or "" when there is none.
  std::string ChildText(std::string_view name) const;
};

// Limits that keep a parse of untrusted bytes bounded.
inline constexpr size_t kMaxXmlBytes = 64 << 20;
inline constexpr int kMaxXmlDepth = 16;

// Parses one document. Corrupt (with the byte offset) when it is not well-formed within the
// subset above, deeper than kMaxXmlDepth or longer than kMaxXmlBytes.
Result<XmlElement> ParseXml(std::string_view xml);

// A ListObjectsV2 answer.
struct ListBucketResult {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string next_continuation_token;  // empty when not truncated
};

// Parses a ListBucketResult document. Keys come back entity-decoded; when the document says
// <EncodingType>url</EncodingType> they are also percent-decoded. Corrupt when the document is
// not a ListBucketResult or a <Contents> entry has no key or a malformed size.
Result<ListBucketResult> ParseListBucketResult(std::string_view xml);

// An S3 <Error> document. All fields are empty when the body is not one (a HEAD answer, an HTML
// page from a proxy): the HTTP status is then all there is to go on.
struct S3ErrorInfo {
  std::string code;      // "NoSuchKey", "SlowDown", ...
  std::string message;   // the server's sentence
  std::string region;    // <Region>, sent with wrong-region errors
  std::string endpoint;  // <Endpoint>, sent with PermanentRedirect
};
S3ErrorInfo ParseS3Error(std::string_view body);

// Reverses the URI encoding S3 applies with encoding-type=url ('+' is a space there).
// Malformed escapes are kept as written.
std::string UrlDecode(std::string_view s);

}  // namespace imagemill
