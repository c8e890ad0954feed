#include "service/processors.h"

#include "vision/faces/face_labels.h"
#include "vision/faces/faces_processor.h"
#include "vision/properties/image_properties_processor.h"
#include "vision/text/text_labels.h"
#include "vision/text/text_processor.h"
#include "workflow/noop_processor.h"

namespace imagemill::service {
namespace {

Status UnknownProcessor(const std::string& name) {
  std::string known;
  for (const std::string& n : ProcessorNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown processor '" + name + "' (known: " + known + ")");
}

vision::TextProcessorOptions TextOptions(const ProcessorSettings& s) {
  vision::TextProcessorOptions o;
  o.max_pixels = s.max_pixels;
  o.detector.models_dir = s.model.models_dir;
  o.settings = s.text;
  return o;
}

// The label source --extra-labels names; with `open` false it is not loaded (its name is all a
// processor name needs).
Result<std::shared_ptr<const vision::LabelSource>> ExtraLabelSource(const std::string& extra,
                                                                    const ProcessorSettings& s,
                                                                    bool open) {
  if (extra == "face") {
    if (!open) {
      return std::shared_ptr<const vision::LabelSource>(
          std::make_shared<const vision::FaceLabelSource>(vision::FaceDetectorOptions{}));
    }
    Result<std::shared_ptr<const vision::FaceLabelSource>> face =
        vision::FaceLabelSource::Open(s.model.models_dir);
    if (!face.ok()) return face.status();
    return std::shared_ptr<const vision::LabelSource>(std::move(face).value());
  }
  if (extra == "text") {
    if (!open) {
      return std::shared_ptr<const vision::LabelSource>(
          std::make_shared<const vision::TextLabelSource>(nullptr));
    }
    vision::TextProcessorOptions o;  // no Filters: every line read counts
    o.max_pixels = s.max_pixels;
    o.detector.models_dir = s.model.models_dir;
    Result<std::shared_ptr<const vision::TextLabelSource>> text = vision::TextLabelSource::Open(o);
    if (!text.ok()) return text.status();
    return std::shared_ptr<const vision::LabelSource>(std::move(text).value());
  }
  std::string known;
  for (const std::string& n : ExtraLabelNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::InvalidArgument("unknown --extra-labels '" + extra + "' (known: " + known + ")");
}

Result<vision::LabelsProcessorOptions> LabelsOptions(const ProcessorSettings& s, bool open) {
  vision::LabelsProcessorOptions o;
  o.max_pixels = s.max_pixels;
  o.model = s.model;
  o.settings = s.labels;
  o.shared_networks = s.shared_networks;
  Result<std::vector<std::shared_ptr<const vision::LabelSource>>> sources =
      LabelSources(s, open);
  if (!sources.ok()) return sources.status();
  o.sources = std::move(sources).value();
  return o;
}

}  // namespace

std::vector<std::string> ProcessorNames() {
  return {"labels", "faces", "text", "image-properties", "none"};
}

std::vector<std::string> ExtraLabelNames() { return {"face", "text"}; }

Result<std::vector<std::shared_ptr<const vision::LabelSource>>> LabelSources(
    const ProcessorSettings& s, bool open) {
  std::vector<std::shared_ptr<const vision::LabelSource>> sources;
  for (const std::string& extra : s.extra_labels) {
    Result<std::shared_ptr<const vision::LabelSource>> source = ExtraLabelSource(extra, s, open);
    if (!source.ok()) return source.status();
    sources.push_back(std::move(source).value());
  }
  return sources;
}

std::string DefaultProcessorName() { return "labels"; }

nlohmann::json ProcessorSettings::ToJson() const {
  if (name == "faces") {
    nlohmann::json j = {{"processor", name}};
    if (!model.models_dir.empty()) j["modelsDir"] = model.models_dir.string();
    return j;
  }
  if (name == "text") {
    nlohmann::json j = {{"processor", name}, {"request", text.ToJson()}};
    if (!model.models_dir.empty()) j["modelsDir"] = model.models_dir.string();
    return j;
  }
  if (name != "labels") return nullptr;
  nlohmann::json model_json = {{"labelModel", model.builtin}};
  if (!model.models_dir.empty()) model_json["modelsDir"] = model.models_dir.string();
  if (!model.model_file.empty()) {
    model_json = {{"modelFile", model.model_file.string()},
                  {"modelKind", model.model_kind},
                  {"labelsFile", model.labels_file.string()},
                  {"inputSize", model.input_size}};
  }
  nlohmann::json j = {{"processor", name}, {"model", model_json}, {"request", labels.ToJson()}};
  if (!extra_labels.empty()) j["extraLabels"] = extra_labels;
  return j;
}

Result<ProcessorSettings> ProcessorSettings::FromSpec(const ExecutionSpec& spec) {
  ProcessorSettings s;
  const nlohmann::json& j = spec.processor_settings;
  if (j.is_null()) {
    s.name = spec.processor;  // processors without settings store their registry name
    return s;
  }
  try {
    s.name = j.at("processor").get<std::string>();
    if (s.name == "faces") {
      s.model.models_dir = j.value("modelsDir", std::string());
      return s;
    }
    if (s.name == "text") {
      if (j.contains("modelsDir")) s.model.models_dir = j["modelsDir"].get<std::string>();
      if (Status st = s.text.MergeJson(j.at("request")); !st.ok()) return st;
      return s;
    }
    if (j.contains("extraLabels")) {
      s.extra_labels = j["extraLabels"].get<std::vector<std::string>>();
    }
    const nlohmann::json& m = j.at("model");
    if (m.contains("modelFile")) {
      s.model.model_file = m.at("modelFile").get<std::string>();
      s.model.model_kind = m.at("modelKind").get<std::string>();
      s.model.labels_file = m.at("labelsFile").get<std::string>();
      s.model.input_size = m.at("inputSize").get<int>();
    } else {
      s.model.builtin = m.at("labelModel").get<std::string>();
      if (m.contains("modelsDir")) s.model.models_dir = m["modelsDir"].get<std::string>();
    }
    if (Status st = s.labels.MergeJson(j.at("request")); !st.ok()) return st;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("stored processor settings are unreadable: ") +
                                   e.what());
  }
  return s;
}

Result<std::string> ProcessorName(const ProcessorSettings& s) {
  if (s.name == "none") return std::string("none");
  if (s.name == "image-properties") {
    return vision::ImagePropertiesProcessor(vision::ImagePropertiesProcessorOptions{}).Name();
  }
  if (s.name == "faces") return vision::FacesProcessor::NameFor();
  if (s.name == "text") return vision::TextProcessor::NameFor(TextOptions(s));
  if (s.name == "labels") {
    Result<vision::LabelsProcessorOptions> o = LabelsOptions(s, /*open=*/false);
    if (!o.ok()) return o.status();
    return vision::LabelsProcessor::NameFor(*o);
  }
  return UnknownProcessor(s.name);
}

Result<std::string> ProcessorKind(const ProcessorSettings& s) {
  if (s.name == "none") return std::string("inventory");
  if (s.name == "image-properties" || s.name == "labels") return std::string("labels");
  if (s.name == "faces") return std::string("faces");
  if (s.name == "text") return std::string("text");
  return UnknownProcessor(s.name);
}

Result<std::unique_ptr<Processor>> MakeProcessor(const ProcessorSettings& s) {
  if (s.name == "none") return std::unique_ptr<Processor>(std::make_unique<NoopProcessor>());
  if (s.name == "image-properties") {
    vision::ImagePropertiesProcessorOptions o;
    o.max_pixels = s.max_pixels;
    return std::unique_ptr<Processor>(std::make_unique<vision::ImagePropertiesProcessor>(o));
  }
  if (s.name == "faces") {
    vision::FacesProcessorOptions o;
    o.max_pixels = s.max_pixels;
    o.models_dir = s.model.models_dir;
    Result<std::unique_ptr<vision::FacesProcessor>> p = vision::FacesProcessor::Open(o);
    if (!p.ok()) return p.status();
    return std::unique_ptr<Processor>(std::move(p).value());
  }
  if (s.name == "labels") {
    Result<vision::LabelsProcessorOptions> o = LabelsOptions(s, /*open=*/true);
    if (!o.ok()) return o.status();
    Result<std::unique_ptr<vision::LabelsProcessor>> p = vision::LabelsProcessor::Open(*o);
    if (!p.ok()) return p.status();
    return std::unique_ptr<Processor>(std::move(p).value());
  }
  if (s.name == "text") {
    Result<std::unique_ptr<vision::TextProcessor>> p = vision::TextProcessor::Open(TextOptions(s));
    if (!p.ok()) return p.status();
    return std::unique_ptr<Processor>(std::move(p).value());
  }
  return UnknownProcessor(s.name);
}

Result<Answer> AnswerOneImage(const Processor& processor, ProcessorWorker& worker,
                              const std::string& name, std::string bytes) {
  ObjectInfo item;
  item.key = name;
  item.size = bytes.size();
  Result<std::unique_ptr<PreparedItem>> prepared = processor.Prepare(item, std::move(bytes));
  if (!prepared.ok()) return prepared.status();
  return worker.Process(item, **prepared);
}

}  // namespace imagemill::service
