#include "model/importer.h"

#include <set>

#include "model/constant_folding.h"
#include "model/conversion_context.h"

namespace imagemill::model {
namespace {

constexpr int kOpset = 11;

const OpConverterMap& Converters() {
  static const OpConverterMap map = [] {
    OpConverterMap m;
    RegisterConvOps(m);
    RegisterElementwiseOps(m);
    RegisterShapeOps(m);
    return m;
  }();
  return map;
}

// The nodes needed to compute `outputs`, producers before consumers.
Result<std::vector<const TfjsNode*>> TopologicalOrder(const TfjsGraph& graph,
                                                      const std::vector<std::string>& outputs) {
  std::vector<const TfjsNode*> order;
  std::map<const TfjsNode*, int> state;  // 1: on the stack, 2: done
  struct Frame {
    const TfjsNode* node;
    size_t next_input;
  };
  for (const auto& out : outputs) {
    const TfjsNode* root = graph.FindNode(SplitTensorName(out).first);
    if (root == nullptr) {
      return Status::InvalidArgument(graph.path.string() + ": the graph has no tensor '" + out +
                                     "'");
    }
    if (state[root] == 2) continue;
    std::vector<Frame> stack = {{root, 0}};
    state[root] = 1;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_input == f.node->inputs.size()) {
        state[f.node] = 2;
        order.push_back(f.node);
        stack.pop_back();
        continue;
      }
      const std::string& in = f.node->inputs[f.next_input++];
      const TfjsNode* producer = graph.FindNode(SplitTensorName(in).first);
      if (producer == nullptr) {
        return Status::Corrupt(graph.path.string() + ": node '" + f.node->name + "' reads '" + in +
                               "', which no node produces");
      }
      if (state[producer] == 1) {
        return Status::Unsupported(graph.path.string() + ": the graph has a cycle through '" +
                                   producer->name + "' (control flow is not supported)");
      }
      if (state[producer] == 0) {
        state[producer] = 1;
        stack.push_back({producer, 0});
      }
    }
  }
  return order;
}

Result<Shape> InputShape(const TfjsGraph& graph, const TfjsNode& node,
                         const ImportOptions& options) {
  Shape shape;
  for (const auto& in : graph.inputs) {
    if (in.name == node.name) shape = in.shape;
  }
  if (shape.empty() && node.attr.contains("shape")) {
    for (const auto& d : node.attr["shape"]["shape"].value("dim", nlohmann::json::array())) {
      shape.push_back(d.contains("size") ? std::stoll(d["size"].get<std::string>()) : -1);
    }
  }
  if (shape.empty()) {
    return Status::Unsupported(graph.path.string() + ": input '" + node.name +
                               "' has no known shape");
  }
  if (shape[0] < 0) shape[0] = 1;
  if (shape.size() == 4 && (options.input_height > 0 || options.input_width > 0)) {
    const bool nchw = shape[1] == 3 || shape[1] == 1;
    const int h = nchw ? 2 : 1;
    if (options.input_height > 0) shape[h] = options.input_height;
    if (options.input_width > 0) shape[h + 1] = options.input_width;
  }
  for (int64_t d : shape) {
    if (d <= 0) {
      return Status::Unsupported(graph.path.string() + ": input '" + node.name + "' has shape " +
                                 ShapeToString(shape) + "; give its size explicitly");
    }
  }
  return shape;
}

Result<ImportedModel> Convert(const TfjsGraph& graph, const ImportOptions& options,
                              const std::map<std::string, Shape>* native_shapes,
                              std::map<std::string, Shape>* shapes_out) {
  std::vector<std::string> outputs = options.outputs;
  if (outputs.empty()) {
    for (const auto& o : graph.outputs) outputs.push_back(o.name);
  }
  if (outputs.empty()) {
    return Status::InvalidArgument(graph.path.string() +
                                   ": the model names no outputs; choose some with --outputs");
  }
  auto order = TopologicalOrder(graph, outputs);
  if (!order.ok()) return order.status();

  OnnxBuilder builder(graph.path.stem().string(), kOpset);
  ConversionContext ctx(graph, builder, native_shapes);
  ImportedModel result;
  for (const TfjsNode* node : *order) {
    if (node->op == "Placeholder") {
      auto shape = InputShape(graph, *node, options);
      if (!shape.ok()) return shape.status();
      builder.AddInput(node->name, *shape);
      result.inputs.push_back({node->name, *shape});
      ctx.Define(*node, 0,
                 Value{node->name, IdentityPerm(static_cast<int>(shape->size())), *shape});
      continue;
    }
    if (node->op == "Const") {
      auto it = graph.weights.find(node->name);
      if (it == graph.weights.end()) {
        return ctx.Error(*node, "the constant has no value in the weights manifest");
      }
      Value v;
      v.shape = it->second.shape;
      v.constant = it->second;
      v.perm = IdentityPerm(v.rank());
      ctx.Define(*node, 0, std::move(v));
      continue;
    }
    bool all_constant = !node->inputs.empty();
    std::vector<HostTensor> constants;
    for (size_t k = 0; k < node->inputs.size() && all_constant; ++k) {
      const Value& in = ctx.Input(*node, static_cast<int>(k));
      all_constant = in.is_constant();
      if (all_constant) constants.push_back(*in.constant);
    }
    if (all_constant) {
      if (auto folded = FoldConstant(*node, constants)) {
        for (size_t k = 0; k < folded->size(); ++k) {
          Value v;
          v.shape = (*folded)[k].shape;
          v.perm = IdentityPerm(v.rank());
          v.constant = std::move((*folded)[k]);
          ctx.Define(*node, static_cast<int>(k), std::move(v));
        }
        continue;
      }
    }
    auto converter = Converters().find(node->op);
    if (converter == Converters().end()) {
      return ctx.Error(*node,
                       "imagemill does not import this op; if it follows the outputs you "
                       "need, cut the graph before it (--outputs)");
    }
    if (Status s = converter->second(ctx, *node); !s.ok()) return s;
    ++result.tf_ops[node->op];
  }

  // Materialize every output in TF layout first, then name them (renaming invalidates caches).
  std::vector<std::pair<std::string, std::string>> named;  // (output name, ONNX tensor)
  for (const auto& out : outputs) {
    const Value* v = ctx.Find(out);
    if (v == nullptr) {
      return Status::InvalidArgument(graph.path.string() + ": the graph has no tensor '" + out +
                                     "'");
    }
    if (v->is_constant()) {
      return Status::InvalidArgument(graph.path.string() + ": output '" + out + "' is a constant");
    }
    auto [node, k] = SplitTensorName(out);
    named.emplace_back(TensorName(node, k), ctx.Tensor(*v, IdentityPerm(v->rank())));
    result.outputs.push_back({named.back().first, v->shape});
  }
  std::set<std::string> renamed;
  std::set<std::string> graph_inputs;
  for (const auto& in : result.inputs) graph_inputs.insert(in.name);
  for (size_t k = 0; k < named.size(); ++k) {
    auto& [name, tensor] = named[k];
    if (name == tensor) {
      renamed.insert(tensor);
    } else {
      // The output keeps its TF name; an internal tensor that has it is renamed out of the way
      // (OpenCV resolves output names to layers, and would find the internal one).
      if (builder.IsUsedName(name)) {
        if (graph_inputs.count(name) > 0 || renamed.count(name) > 0) {
          name += "/output";
        } else {
          builder.Rename(name, builder.UniqueName(name + "/internal"));
        }
      }
      result.outputs[k].name = name;
      if (renamed.count(tensor) > 0 || graph_inputs.count(tensor) > 0) {
        builder.AddNode("Identity", {tensor}, name);
      } else {
        builder.Rename(tensor, name);
        renamed.insert(name);
      }
    }
    builder.AddOutput(name, result.outputs[k].shape);
  }
  for (const auto& node : builder.model().graph().node()) ++result.onnx_ops[node.op_type()];

  if (shapes_out != nullptr) {
    for (const auto& [name, v] : ctx.values()) (*shapes_out)[name] = v.shape;
  }
  if (!builder.model().SerializeToString(&result.onnx)) {
    return Status::Internal(graph.path.string() + ": could not serialize the ONNX model");
  }
  return result;
}

}  // namespace

Result<ImportedModel> ImportTfjsGraph(const TfjsGraph& graph, const ImportOptions& options) {
  if (options.input_height <= 0 && options.input_width <= 0) {
    return Convert(graph, options, nullptr, nullptr);
  }
  // Sizes that TF baked into constants (resize targets) are taken relative to the model's own
  // input size, so convert once at that size to learn every tensor's native shape.
  std::map<std::string, Shape> native;
  ImportOptions native_options = options;
  native_options.input_height = native_options.input_width = 0;
  auto first = Convert(graph, native_options, nullptr, &native);
  if (!first.ok()) return first.status();
  return Convert(graph, options, &native, nullptr);
}

Result<ImportedModel> ImportTfjsModel(const std::filesystem::path& model_json,
                                      const ImportOptions& options) {
  auto graph = LoadTfjsGraph(model_json);
  if (!graph.ok()) return graph.status();
  return ImportTfjsGraph(*graph, options);
}

}  // namespace imagemill::model
