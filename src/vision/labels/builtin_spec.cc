#include "vision/labels/builtin_spec.h"

namespace imagemill::vision {
namespace {

constexpr const char* kUsage =
    "; a label model is nanodet[-SIZE] and/or centernet[-SIZE] joined by '+', optionally with "
    "+mirror and +max, and optionally ~NETWORK for a second opinion when unsure (e.g. nanodet-320, "
    "nanodet-320+mirror, nanodet-320~centernet-256)";

// "nanodet", "nanodet-320", "centernet-512" -> the canonical "family-size".
Result<std::string> ParseNetwork(const std::string& spec, const std::string& token) {
  std::string family = token;
  int size = 0;
  if (const size_t dash = token.find('-'); dash != std::string::npos) {
    family = token.substr(0, dash);
    const std::string digits = token.substr(dash + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 4) {
      return Status::InvalidArgument("label model '" + spec + "': bad size in '" + token + "'" +
                                     kUsage);
    }
    size = std::stoi(digits);
  }
  if (family != "nanodet" && family != "centernet") {
    return Status::InvalidArgument("label model '" + spec + "': unknown part '" + token + "'" +
                                   kUsage);
  }
  if (size == 0) size = family == "nanodet" ? 416 : 512;
  if (size % 32 != 0 || size < 64 || size > 1024) {
    return Status::InvalidArgument("label model '" + spec + "': the input size of '" + token +
                                   "' must be a multiple of 32 from 64 to 1024 (try 320 or 416)");
  }
  return family + "-" + std::to_string(size);
}

}  // namespace

int InputSizeOf(const std::string& network) {
  return std::stoi(network.substr(network.find('-') + 1));
}

Result<BuiltinSpec> ParseBuiltinSpec(std::string spec) {
  BuiltinSpec out;
  const std::string revision = ".v" + std::to_string(kBuiltinRevision);
  if (const size_t v = spec.rfind(".v"); v != std::string::npos) {
    if (spec.substr(v) != revision) {
      return Status::InvalidArgument(
          "label model '" + spec + "': this imagemill's built-in models are revision " +
          revision.substr(1) + " (name them without it, e.g. " + spec.substr(0, v) + ")");
    }
    spec.resize(v);
  }
  std::string first = spec;
  if (const size_t tilde = spec.find('~'); tilde != std::string::npos) {
    first = spec.substr(0, tilde);
    Result<std::string> second = ParseNetwork(spec, spec.substr(tilde + 1));
    if (!second.ok()) return second.status();
    out.second = *second;
  }
  size_t start = 0;
  while (start <= first.size()) {
    size_t plus = first.find('+', start);
    if (plus == std::string::npos) plus = first.size();
    const std::string token = first.substr(start, plus - start);
    start = plus + 1;
    if (token == "mirror") {
      out.mirror = true;
      continue;
    }
    if (token == "max" || token == "mean") {
      out.merge = token == "max" ? MergeMode::kMax : MergeMode::kMean;
      continue;
    }
    Result<std::string> network = ParseNetwork(spec, token);
    if (!network.ok()) return network.status();
    for (const std::string& d : out.detectors) {
      if (d == *network) {
        return Status::InvalidArgument("label model '" + spec + "' names " + d + " twice");
      }
    }
    out.detectors.push_back(*network);
  }
  if (out.detectors.empty()) {
    return Status::InvalidArgument("label model '" + spec + "' names no network" + kUsage);
  }
  for (const std::string& d : out.detectors) out.base += (out.base.empty() ? "" : "+") + d;
  if (out.mirror) out.base += "+mirror";
  if (out.merge == MergeMode::kMax) out.base += "+max";
  if (!out.second.empty()) out.base += "~" + out.second;
  out.name = out.base + revision;
  return out;
}

}  // namespace imagemill::vision
