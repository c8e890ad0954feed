// Documents and screenshots drawn at run time with their words known, for text_eval (the photo
// set of bench/text_eval_set.txt has only a few of each). Fonts are DejaVu's (Debian's
// fonts-dejavu-core), drawn by OpenCV's FreeType module; everything is seeded, so the same
// arguments draw the same pages.
//
//   documents    a page of running text: clean scans (serif or sans, PNG), JPEG copies, pages
//                turned a few degrees, and photographs of a page (perspective, uneven light,
//                blur, noise, JPEG); 13 to 20 pixel text, at most ~90 words a page
//   screenshots  an application window, light or dark: title bar, menu bar, sidebar, a form with
//                labels and buttons, a paragraph and a status bar; 12 to 15 pixel text, PNG
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace imagemill::bench {

struct TextPage {
  std::string name;                // "doc-3.jpg"
  std::string kind;                // "document" or "screenshot"
  std::string bytes;               // the encoded image
  std::vector<std::string> words;  // every word drawn, in order
};

inline const char* kDejaVuDir = "/usr/share/fonts/truetype/dejavu/";

namespace text_pages_internal {

// Words of everyday English prose and of application windows; none is shorter than two letters
// except "a" and "I", which are real words a reader must get too.
inline const std::vector<std::string>& ProseWords() {
  static const std::vector<std::string> words = {
      "the",      "river",    "was",        "wide",      "and",      "slow",      "under",
      "morning",  "light",    "when",       "we",        "reached",  "village",   "after",
      "three",    "days",     "walking",    "through",   "hills",    "farmers",   "had",
      "already",  "gathered", "near",       "market",    "with",     "baskets",   "of",
      "apples",   "bread",    "cheese",     "a",         "small",    "boy",       "ran",
      "between",  "stalls",   "calling",    "his",       "sister",   "who",       "sold",
      "flowers",  "from",     "wooden",     "cart",      "old",      "church",    "bell",
      "rang",     "seven",    "times",      "people",    "stopped",  "listen",    "then",
      "returned", "their",    "work",       "letter",    "arrived",  "later",     "that",
      "week",     "asking",   "us",         "stay",      "until",    "harvest",   "ended",
      "report",   "shows",    "sales",      "grew",      "twelve",   "percent",   "last",
      "year",     "while",    "costs",      "remained",  "stable",   "committee", "will",
      "meet",     "again",    "in",         "October",   "review",   "budget",    "please",
      "send",     "your",     "comments",   "before",    "Friday",   "engine",    "needs",
      "new",      "filter",   "every",      "thousand",  "hours",    "operation", "check",
      "pressure", "gauge",    "daily",      "record",    "readings", "logbook",   "students",
      "should",   "read",     "chapter",    "four",      "answer",   "questions", "at",
      "end",      "section",  "library",    "opens",     "nine",     "closes",    "six",
      "on",       "weekdays", "I",          "think",     "garden",   "looks",     "better",
      "than",     "ever",     "roses",      "are",       "blooming", "early",     "this",
      "summer",   "weather",  "has",        "been",      "warm",     "dry",       "most",
      "month",    "travel",   "north",      "take",      "train",    "station",   "platform",
      "two",      "tickets",  "can",        "be",        "bought",   "online",    "or",
      "office",   "museum",   "exhibition", "paintings", "coast",    "is",        "free",
      "for",      "children", "under",      "twelve"};
  return words;
}

inline const std::vector<std::string>& WindowTitles() {
  static const std::vector<std::string> t = {
      "Project Settings",    "Monthly Report", "Photo Library",  "Account Details",
      "Network Preferences", "Invoice Editor", "Travel Planner", "Music Player"};
  return t;
}

inline const std::vector<std::string>& SidebarItems() {
  static const std::vector<std::string> t = {"Home",      "Documents", "Pictures", "Music",
                                             "Videos",    "Downloads", "Desktop",  "Recent",
                                             "Favorites", "Trash",     "Network",  "Contacts",
                                             "Calendar",  "Projects",  "Archive",  "Shared"};
  return t;
}

inline const std::vector<std::string>& FormLabels() {
  static const std::vector<std::string> t = {"Name",     "Email",    "Phone",    "Address",
                                             "City",     "Country",  "Company",  "Username",
                                             "Password", "Language", "Timezone", "Currency"};
  return t;
}

inline std::string Capitalised(std::string w) {
  if (!w.empty()) w[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(w[0])));
  return w;
}

// A font of DejaVu's at `file` (e.g. "DejaVuSerif.ttf").
inline cv::Ptr<cv::freetype::FreeType2> Font(const std::string& file) {
  cv::Ptr<cv::freetype::FreeType2> f = cv::freetype::createFreeType2();
  f->loadFontData(std::string(kDejaVuDir) + file, 0);
  return f;
}

// Draws `text` with the top of its line at `at` (every word of a line on one baseline, a capital
// letter's height below `at`); returns its width.
inline int Draw(cv::Mat& img, cv::freetype::FreeType2& font, const std::string& text, cv::Point at,
                int height, const cv::Scalar& colour) {
  int baseline = 0;
  const int ascent = font.getTextSize("H", height, -1, &baseline).height;
  const cv::Size size = font.getTextSize(text, height, -1, &baseline);
  font.putText(img, text, at + cv::Point(0, ascent), height, colour, -1, cv::LINE_AA, true);
  return size.width;
}

// Words of `text` (split on spaces) appended to `words`; returns `text`.
inline const std::string& Note(const std::string& text, std::vector<std::string>& words) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return text;
}

inline std::string Encode(const cv::Mat& img, const std::string& ext, int jpeg_quality = 85) {
  std::vector<uchar> buf;
  cv::imencode(ext, img, buf, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
  return std::string(buf.begin(), buf.end());
}

// Running text wrapped into `area` of `page`: sentences of 6 to 14 words, a paragraph break
// every 3 sentences, at most `max_words` words.
inline void Prose(cv::Mat& page, cv::freetype::FreeType2& font, int height, cv::Rect area,
                  const cv::Scalar& ink, cv::RNG& rng, int max_words,
                  std::vector<std::string>& words) {
  const std::vector<std::string>& vocab = ProseWords();
  const int line_step = height * 3 / 2, space = height / 3;
  int x = area.x, y = area.y, sentence_left = 0, sentences = 0;
  for (int placed = 0; placed < max_words;) {
    bool sentence_start = false;
    if (sentence_left == 0) {
      sentence_left = rng.uniform(6, 15);
      sentence_start = true;
      if (sentences > 0 && sentences % 3 == 0) {  // a new paragraph
        x = area.x;
        y += line_step * 2;
      }
      ++sentences;
    }
    std::string w = vocab[rng.uniform(0, static_cast<int>(vocab.size()))];
    if (sentence_start) w = Capitalised(w);
    if (--sentence_left == 0) w += ".";
    int baseline = 0;
    const int width = font.getTextSize(w, height, -1, &baseline).width;
    if (x + width > area.x + area.width) {
      x = area.x;
      y += line_step;
    }
    if (y + line_step > area.y + area.height) break;
    x += Draw(page, font, w, {x, y}, height, ink) + space;
    words.push_back(w);
    ++placed;
  }
}

// A photograph of `page`: on a grey table, seen at an angle, lit unevenly, slightly blurred and
// noisy.
inline cv::Mat Photograph(const cv::Mat& page, cv::RNG& rng) {
  const cv::Size out(static_cast<int>(page.cols * 1.15), static_cast<int>(page.rows * 1.1));
  const float jx = page.cols * 0.04f, jy = page.rows * 0.03f;
  const cv::Point2f offset(page.cols * 0.075f, page.rows * 0.05f);
  const cv::Point2f from[4] = {{0, 0},
                               {static_cast<float>(page.cols), 0},
                               {static_cast<float>(page.cols), static_cast<float>(page.rows)},
                               {0, static_cast<float>(page.rows)}};
  cv::Point2f to[4];
  for (int k = 0; k < 4; ++k) {
    to[k] = from[k] + offset + cv::Point2f(rng.uniform(-jx, jx), rng.uniform(-jy, jy));
  }
  cv::Mat photo(out, CV_8UC3, cv::Scalar(90, 95, 100));
  cv::warpPerspective(page, photo, cv::getPerspectiveTransform(from, to), out, cv::INTER_LINEAR,
                      cv::BORDER_TRANSPARENT);
  cv::Mat light(out, CV_32FC3);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const float f = 0.75f + 0.3f * static_cast<float>(x + y) / (out.width + out.height);
      light.at<cv::Vec3f>(y, x) = cv::Vec3f(f, f, f);
    }
  }
  cv::Mat lit;
  photo.convertTo(lit, CV_32FC3);
  cv::multiply(lit, light, lit);
  cv::GaussianBlur(lit, lit, cv::Size(3, 3), 0.8);
  cv::Mat noise(out, CV_32FC3);
  rng.fill(noise, cv::RNG::NORMAL, 0, 6);
  lit += noise;
  lit.convertTo(photo, CV_8UC3);
  return photo;
}

}  // namespace text_pages_internal

// `count` documents, variants in turn (see the top of this file).
inline std::vector<TextPage> MakeDocuments(int count, uint64_t seed = 1) {
  namespace in = text_pages_internal;
  std::vector<TextPage> pages;
  cv::RNG rng(seed);
  const char* fonts[] = {"DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSerifCondensed.ttf",
                         "DejaVuSans.ttf", "DejaVuSerif.ttf"};
  for (int i = 0; i < count; ++i) {
    const int variant = i % 4;
    cv::Ptr<cv::freetype::FreeType2> body = in::Font(fonts[i % 5]);
    cv::Ptr<cv::freetype::FreeType2> bold = in::Font("DejaVuSans-Bold.ttf");
    const int height = 13 + (i * 7) % 8;  // 13..20 px
    cv::Mat page(1100, 850, CV_8UC3, cv::Scalar(250, 250, 250));
    TextPage p;
    p.kind = "document";
    const std::string title = in::Capitalised(in::ProseWords()[rng.uniform(0, 40)]) + " " +
                              in::Capitalised(in::ProseWords()[rng.uniform(40, 80)]);
    in::Draw(page, *bold, in::Note(title, p.words), {80, 70}, height + 12, cv::Scalar(30, 30, 30));
    in::Prose(page, *body, height, cv::Rect(80, 140, 690, 880), cv::Scalar(25, 25, 25), rng, 88,
              p.words);
    std::string ext = ".png";
    cv::Mat out = page;
    if (variant == 1) {
      ext = ".jpg";
    } else if (variant == 2) {  // turned a few degrees
      const double angle = rng.uniform(-4.0, 4.0);
      cv::warpAffine(page, out, cv::getRotationMatrix2D({425, 550}, angle, 1.0), page.size(),
                     cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(250, 250, 250));
    } else if (variant == 3) {
      out = in::Photograph(page, rng);
      ext = ".jpg";
    }
    p.name = "doc-" + std::to_string(i) + ext;
    p.bytes = in::Encode(out, ext);
    pages.push_back(std::move(p));
  }
  return pages;
}

// `count` screenshots, light and dark in turn (see the top of this file).
inline std::vector<TextPage> MakeScreenshots(int count, uint64_t seed = 2) {
  namespace in = text_pages_internal;
  std::vector<TextPage> pages;
  cv::RNG rng(seed);
  cv::Ptr<cv::freetype::FreeType2> sans = in::Font("DejaVuSans.ttf");
  cv::Ptr<cv::freetype::FreeType2> bold = in::Font("DejaVuSans-Bold.ttf");
  for (int i = 0; i < count; ++i) {
    const bool dark = i % 2 == 1;
    const int h = 12 + i % 4;  // 12..15 px
    const cv::Scalar bg = dark ? cv::Scalar(40, 38, 36) : cv::Scalar(246, 245, 244);
    const cv::Scalar panel = dark ? cv::Scalar(55, 52, 50) : cv::Scalar(232, 230, 228);
    const cv::Scalar ink = dark ? cv::Scalar(235, 235, 235) : cv::Scalar(30, 30, 30);
    const cv::Scalar accent(200, 120, 40);
    cv::Mat s(800, 1280, CV_8UC3, bg);
    TextPage p;
    p.kind = "screenshot";
    // Title bar and menu bar.
    cv::rectangle(s, cv::Rect(0, 0, 1280, 36),
                  dark ? cv::Scalar(30, 28, 26) : cv::Scalar(220, 218, 216), cv::FILLED);
    const std::string& title = in::WindowTitles()[rng.uniform(0, 8)];
    in::Draw(s, *bold, in::Note(title, p.words), {560, 10}, h + 1, ink);
    int x = 12;
    for (const char* m : {"File", "Edit", "View", "Tools", "Help"}) {
      x += in::Draw(s, *sans, in::Note(m, p.words), {x, 46}, h, ink) + 22;
    }
    // Sidebar.
    cv::rectangle(s, cv::Rect(0, 72, 220, 700), panel, cv::FILLED);
    const int first = rng.uniform(0, 8), selected = rng.uniform(0, 7);
    for (int k = 0; k < 7; ++k) {
      const int y = 92 + k * 34;
      if (k == selected) cv::rectangle(s, cv::Rect(8, y - 8, 204, h + 16), accent, cv::FILLED);
      in::Draw(s, *sans, in::Note(in::SidebarItems()[first + k], p.words), {24, y}, h + 1,
               k == selected ? cv::Scalar(255, 255, 255) : ink);
    }
    // A form: labels, fields with values, two buttons.
    in::Draw(s, *bold, in::Note(title, p.words), {260, 96}, h + 8, ink);
    const int label_first = rng.uniform(0, 8);
    for (int k = 0; k < 4; ++k) {
      const int y = 150 + k * 48;
      in::Draw(s, *sans, in::Note(in::FormLabels()[label_first + k], p.words), {260, y + 6}, h,
               ink);
      cv::rectangle(s, cv::Rect(400, y, 360, h + 16),
                    dark ? cv::Scalar(70, 68, 66) : cv::Scalar(255, 255, 255), cv::FILLED);
      cv::rectangle(s, cv::Rect(400, y, 360, h + 16),
                    dark ? cv::Scalar(100, 100, 100) : cv::Scalar(180, 180, 180), 1);
      const std::string value = in::Capitalised(in::ProseWords()[rng.uniform(0, 120)]) + " " +
                                in::ProseWords()[rng.uniform(0, 120)];
      in::Draw(s, *sans, in::Note(value, p.words), {410, y + 8}, h, ink);
    }
    for (int k = 0; k < 2; ++k) {
      const cv::Rect button(400 + k * 130, 350, 110, h + 20);
      cv::rectangle(s, button, k == 0 ? accent : panel, cv::FILLED);
      const std::string label = k == 0 ? "Save" : "Cancel";
      in::Draw(s, *sans, in::Note(label, p.words), {button.x + 22, button.y + 10}, h,
               k == 0 ? cv::Scalar(255, 255, 255) : ink);
    }
    // A paragraph and the status bar.
    in::Prose(s, *sans, h, cv::Rect(260, 430, 900, 250), ink, rng, 45, p.words);
    cv::rectangle(s, cv::Rect(0, 772, 1280, 28), panel, cv::FILLED);
    const std::string status = std::to_string(rng.uniform(2, 99)) + " items selected";
    in::Draw(s, *sans, in::Note(status, p.words), {12, 778}, h - 1, ink);
    p.name = "screen-" + std::to_string(i) + ".png";
    p.bytes = in::Encode(s, ".png");
    pages.push_back(std::move(p));
  }
  return pages;
}

}  // namespace imagemill::bench
