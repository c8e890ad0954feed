#include "objectstore/s3_xml.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "util/percent_decode.h"
#include "util/utf8.h"

namespace imagemill {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsNameStart(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || u >= 0x80;
}

bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

// Recursive descent over the subset described in s3_xml.h. Not thread-safe; one per document.
class XmlParser {
 public:
  explicit XmlParser(std::string_view s) : s_(s) {}

  Result<XmlElement> Document() {
    if (s_.size() > kMaxXmlBytes) return Status::Corrupt("XML document larger than 64 MiB");
    if (s_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    Status st = SkipMisc();
    if (!st.ok()) return st;
    if (pos_ >= s_.size()) return Fail("no root element");
    XmlElement root;
    st = Element(root, 1);
    if (!st.ok()) return st;
    st = SkipMisc();
    if (!st.ok()) return st;
    if (pos_ != s_.size()) return Fail("content after the root element");
    return root;
  }

 private:
  Status Fail(const std::string& what) const {
    return Status::Corrupt("malformed XML at byte " + std::to_string(pos_) + ": " + what);
  }
  bool At(std::string_view lit) const { return s_.substr(pos_).starts_with(lit); }
  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }
  // Moves past the next `end`; false (at the end of input) when there is none.
  bool SkipPast(std::string_view end) {
    size_t at = s_.find(end, pos_);
    if (at == std::string_view::npos) {
      pos_ = s_.size();
      return false;
    }
    pos_ = at + end.size();
    return true;
  }

  // Whitespace, comments and processing instructions (the prolog and what follows the root).
  Status SkipMisc() {
    for (;;) {
      SkipSpace();
      if (At("<!--")) {
        pos_ += 4;
        if (!SkipPast("-->")) return Fail("unterminated comment");
      } else if (At("<?")) {
        pos_ += 2;
        if (!SkipPast("?>")) return Fail("unterminated processing instruction");
      } else if (At("<!")) {
        return Fail("DOCTYPE and declarations are not accepted");
      } else {
        return Status::Ok();
      }
    }
  }

  Status Name(std::string& out) {
    size_t start = pos_;
    if (pos_ >= s_.size() || !IsNameStart(s_[pos_])) return Fail("expected a name");
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    out.assign(s_.substr(start, pos_ - start));
    return Status::Ok();
  }

  // After the element name: attributes up to '>' (sets *empty=false) or "/>" (*empty=true).
  Status Attributes(bool* empty) {
    for (;;) {
      size_t before = pos_;
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated start tag");
      if (At("/>")) {
        pos_ += 2;
        *empty = true;
        return Status::Ok();
      }
      if (s_[pos_] == '>') {
        ++pos_;
        *empty = false;
        return Status::Ok();
      }
      if (pos_ == before) return Fail("expected whitespace before an attribute");
      std::string name;
      Status st = Name(name);
      if (!st.ok()) return st;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '=') return Fail("expected '=' after attribute");
      ++pos_;
      SkipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
        return Fail("expected a quoted attribute value");
      }
      char quote = s_[pos_++];
      size_t end = s_.find(quote, pos_);
      if (end == std::string_view::npos) return Fail("unterminated attribute value");
      if (s_.substr(pos_, end - pos_).find('<') != std::string_view::npos) {
        return Fail("'<' in an attribute value");
      }
      pos_ = end + 1;
    }
  }

  // At '&': appends the character the reference stands for.
  Status Reference(std::string& out) {
    size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return Fail("bad entity reference");
    std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "amp") {
      out += '&';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref.starts_with("#")) {
      std::string_view digits = ref.substr(1);
      int base = 10;
      if (digits.starts_with("x")) {
        digits.remove_prefix(1);
        base = 16;
      }
      uint32_t cp = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || cp == 0 ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return Fail("bad character reference");
      }
      AppendUtf8(cp, out);
    } else {
      return Fail("unknown entity '&" + std::string(ref) + ";'");
    }
    pos_ = semi + 1;
    return Status::Ok();
  }

  // At '<' of a start tag: parses the element and everything up to its end tag.
  Status Element(XmlElement& el, int depth) {
    if (depth > kMaxXmlDepth) return Fail("elements nested too deeply");
    ++pos_;  // '<'
    Status st = Name(el.name);
    if (!st.ok()) return st;
    bool empty = false;
    st = Attributes(&empty);
    if (!st.ok() || empty) return st;
    for (;;) {
      if (pos_ >= s_.size()) return Fail("unclosed element <" + el.name + ">");
      char c = s_[pos_];
      if (c == '&') {
        st = Reference(el.text);
        if (!st.ok()) return st;
      } else if (c != '<') {
        size_t next = s_.find_first_of("<&", pos_);
        if (next == std::string_view::npos) next = s_.size();
        el.text.append(s_.substr(pos_, next - pos_));
        pos_ = next;
      } else if (At("</")) {
        pos_ += 2;
        std::string name;
        st = Name(name);
        if (!st.ok()) return st;
        if (name != el.name) return Fail("</" + name + "> closes <" + el.name + ">");
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != '>') return Fail("unterminated end tag");
        ++pos_;
        return Status::Ok();
      } else if (At("<!--")) {
        pos_ += 4;
        if (!SkipPast("-->")) return Fail("unterminated comment");
      } else if (At("<![CDATA[")) {
        pos_ += 9;
        size_t end = s_.find("]]>", pos_);
        if (end == std::string_view::npos) return Fail("unterminated CDATA section");
        el.text.append(s_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (At("<?")) {
        pos_ += 2;
        if (!SkipPast("?>")) return Fail("unterminated processing instruction");
      } else if (At("<!")) {
        return Fail("declarations are not accepted inside elements");
      } else {
        el.children.emplace_back();
        st = Element(el.children.back(), depth + 1);
        if (!st.ok()) return st;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// The element name without a namespace prefix ("s3:Key" -> "Key").
std::string_view LocalName(std::string_view name) {
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child) const {
  for (const XmlElement& c : children) {
    if (LocalName(c.name) == child) return &c;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child) const {
  const XmlElement* c = Child(child);
  return c == nullptr ? std::string() : c->text;
}

Result<XmlElement> ParseXml(std::string_view xml) { return XmlParser(xml).Document(); }

std::string UrlDecode(std::string_view s) {
  std::string plus_as_space(s);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return PercentDecode(plus_as_space);
}

Result<ListBucketResult> ParseListBucketResult(std::string_view xml) {
  Result<XmlElement> doc = ParseXml(xml);
  if (!doc.ok()) return Status::Corrupt("listing answer: " + doc.status().message());
  if (LocalName(doc->name) != "ListBucketResult") {
    return Status::Corrupt("listing answer: expected <ListBucketResult>, got <" + doc->name + ">");
  }
  const bool url_encoded = doc->ChildText("EncodingType") == "url";
  ListBucketResult result;
  std::string truncated = doc->ChildText("IsTruncated");
  if (truncated != "true" && truncated != "false" && !truncated.empty()) {
    return Status::Corrupt("listing answer: <IsTruncated> is '" + truncated + "'");
  }
  result.truncated = truncated == "true";
  result.next_continuation_token = doc->ChildText("NextContinuationToken");
  for (const XmlElement& c : doc->children) {
    if (LocalName(c.name) != "Contents") continue;
    ObjectInfo info;
    const XmlElement* key = c.Child("Key");
    if (key == nullptr || key->text.empty()) {
      return Status::Corrupt("listing answer: a <Contents> entry has no <Key>");
    }
    info.key = url_encoded ? UrlDecode(key->text) : key->text;
    std::string size = c.ChildText("Size");
    if (!size.empty()) {
      auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), info.size);
      if (ec != std::errc() || end != size.data() + size.size()) {
        return Status::Corrupt("listing answer: <Size> '" + size + "' of " + info.key);
      }
    }
    info.etag = c.ChildText("ETag");
    info.last_modified = c.ChildText("LastModified");
    result.objects.push_back(std::move(info));
  }
  return result;
}

S3ErrorInfo ParseS3Error(std::string_view body) {
  S3ErrorInfo info;
  if (body.empty()) return info;
  Result<XmlElement> doc = ParseXml(body);
  if (!doc.ok() || LocalName(doc->name) != "Error") return info;
  info.code = doc->ChildText("Code");
  info.message = doc->ChildText("Message");
  info.region = doc->ChildText("Region");
  info.endpoint = doc->ChildText("Endpoint");
  return info;
}

}  // namespace imagemill
