// `imagemill model ...`: import TF.js graph models to ONNX, describe models, and run a model on
// tensors stored as .npy files (what the TF.js reference test compares against).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "cli/command.h"
#include "model/importer.h"
#include "model/net_loader.h"
#include "model/npy.h"

namespace imagemill::cli {
namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct ModelArgs {
  std::string model;
  std::string out;
  std::string outputs;
  int input_size = 0;
  std::vector<std::string> inputs;
  int threads = 0;
};

model::ImportOptions Options(const ModelArgs& a) {
  model::ImportOptions o;
  o.outputs = SplitList(a.outputs);
  o.input_height = o.input_width = a.input_size;
  return o;
}

nlohmann::json Describe(const std::vector<model::TensorInfo>& tensors) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : tensors) j.push_back({{"name", t.name}, {"shape", t.shape}});
  return j;
}

int Fail(const Status& s) {
  std::cerr << "imagemill model: " << s.ToString() << "\n";
  return s.code() == Code::kInvalidArgument ? kExitUsage : kExitRunFailed;
}

int Import(const ModelArgs& a) {
  auto imported = model::ImportTfjsModel(a.model, Options(a));
  if (!imported.ok()) return Fail(imported.status());
  std::ofstream out(a.out, std::ios::binary);
  out.write(imported->onnx.data(), static_cast<std::streamsize>(imported->onnx.size()));
  if (!out) return Fail(Status::Io(a.out + ": cannot write the ONNX model"));
  out.close();
  // Check that OpenCV runs what we wrote before calling it done.
  auto net = model::NetFromOnnx(imported->onnx, a.out);
  if (!net.ok()) return Fail(net.status());
  int nodes = 0;
  for (const auto& [op, n] : imported->onnx_ops) nodes += n;
  std::cout << a.out << ": " << nodes << " ONNX nodes, " << imported->onnx.size() << " bytes\n";
  for (const auto& t : imported->inputs)
    std::cout << "  input  " << t.name << " " << model::ShapeToString(t.shape) << "\n";
  for (const auto& t : imported->outputs)
    std::cout << "  output " << t.name << " " << model::ShapeToString(t.shape) << "\n";
  return kExitOk;
}

int Info(const ModelArgs& a) {
  nlohmann::json j;
  j["model"] = a.model;
  if (std::filesystem::path(a.model).extension() == ".json") {
    auto graph = model::LoadTfjsGraph(a.model);
    if (!graph.ok()) return Fail(graph.status());
    j["generatedBy"] = graph->generated_by;
    j["convertedBy"] = graph->converted_by;
    std::map<std::string, int> ops;
    for (const auto& n : graph->nodes) ++ops[n.op];
    j["tfOps"] = ops;
    auto imported = model::ImportTfjsGraph(*graph, Options(a));
    if (!imported.ok()) {
      j["importError"] = imported.status().ToString();
    } else {
      j["inputs"] = Describe(imported->inputs);
      j["outputs"] = Describe(imported->outputs);
      j["onnxOps"] = imported->onnx_ops;
    }
  } else {
    auto loaded = model::LoadNet(a.model);
    if (!loaded.ok()) return Fail(loaded.status());
    j["inputs"] = Describe(loaded->inputs);
    j["outputs"] = Describe(loaded->outputs);
  }
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

int Run(const ModelArgs& a) {
  auto loaded = model::LoadNet(a.model, Options(a));
  if (!loaded.ok()) return Fail(loaded.status());
  if (a.inputs.size() != loaded->inputs.size()) {
    return Fail(Status::InvalidArgument(a.model + ": the model has " +
                                        std::to_string(loaded->inputs.size()) +
                                        " inputs; give one --input FILE.npy for each"));
  }
  if (a.threads > 0) cv::setNumThreads(a.threads);
  for (size_t k = 0; k < a.inputs.size(); ++k) {
    auto t = model::ReadNpy(a.inputs[k]);
    if (!t.ok()) return Fail(t.status());
    loaded->net.setInput(*t, loaded->inputs[k].name);
  }
  std::vector<std::string> names;
  for (const auto& o : loaded->outputs) names.push_back(o.name);
  std::vector<cv::Mat> outs;
  try {
    loaded->net.forward(outs, names);
  } catch (const cv::Exception& e) {
    return Fail(Status::Internal(a.model + ": forward pass failed: " + e.what()));
  }
  std::filesystem::create_directories(a.out);
  nlohmann::json j = nlohmann::json::object();
  for (size_t k = 0; k < outs.size(); ++k) {
    std::string file = names[k];
    for (char& c : file) {
      if (c == '/' || c == ':') c = '_';
    }
    const auto path = std::filesystem::path(a.out) / (file + ".npy");
    cv::Mat t = outs[k].isContinuous() ? outs[k] : outs[k].clone();
    if (Status s = model::WriteNpy(path, t); !s.ok()) return Fail(s);
    j[names[k]] = path.string();
  }
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void RegisterModelCommand(CLI::App& app, CommandContext& ctx) {
  auto* model_cmd = app.add_subcommand("model", "Import and inspect detection models");
  model_cmd->require_subcommand(1);
  auto args = std::make_shared<ModelArgs>();

  auto* imp = model_cmd->add_subcommand("import", "Convert a TensorFlow.js graph model to ONNX");
  imp->add_option("model", args->model, "model.json of a TF.js graph model")
      ->required()
      ->check(CLI::ExistingFile);
  imp->add_option("-o,--output", args->out, "ONNX file to write")->required();
  imp->add_option("--outputs", args->outputs,
                  "comma-separated TF tensors to output (default: the signature's)");
  imp->add_option("--input-size", args->input_size,
                  "square input size in pixels (default: the model's)");
  imp->callback([args, &ctx] { ctx.exit_code = Import(*args); });

  auto* info = model_cmd->add_subcommand("info", "Describe a TF.js or ONNX model as JSON");
  info->add_option("model", args->model, "model.json or .onnx")
      ->required()
      ->check(CLI::ExistingFile);
  info->add_option("--outputs", args->outputs, "comma-separated TF tensors to output");
  info->add_option("--input-size", args->input_size, "square input size in pixels");
  info->callback([args, &ctx] { ctx.exit_code = Info(*args); });

  auto* run =
      model_cmd->add_subcommand("run", "Run a model on .npy tensors, write its outputs as .npy");
  run->add_option("model", args->model, "model.json or .onnx")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--input", args->inputs, "one .npy file per model input, in order")->required();
  run->add_option("-o,--output-dir", args->out, "folder for the output .npy files")->required();
  run->add_option("--outputs", args->outputs,
                  "comma-separated TF tensors to output (TF.js models)");
  run->add_option("--input-size", args->input_size, "square input size in pixels (TF.js models)");
  run->add_option("--threads", args->threads, "OpenCV threads (default: OpenCV's)");
  run->callback([args, &ctx] { ctx.exit_code = Run(*args); });
}

}  // namespace imagemill::cli
