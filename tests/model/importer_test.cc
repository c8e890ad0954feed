// The TF.js importer on small graphs written by the test, checked against a direct computation of
// TF semantics (and, in tests/integration/model_import_test.sh, real models against TF.js itself).
#include "model/importer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <random>
#include <set>

#include "model/net_loader.h"
#include "support/cached_assets.h"

namespace imagemill::model {
namespace {

using nlohmann::json;

// Half-precision bits of a float that is exactly representable as a normal half (or zero).
uint16_t ToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  if ((bits & 0x7fffffffu) == 0) return static_cast<uint16_t>(sign);
  const int exponent = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
  return static_cast<uint16_t>(sign | (exponent << 10) | ((bits >> 13) & 0x3ff));
}

// Builds a TF.js graph model (model.json + one shard) in a temporary folder.
class GraphWriter {
 public:
  explicit GraphWriter(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("imagemill_importer_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~GraphWriter() { std::filesystem::remove_all(dir_); }

  void Node(const std::string& name, const std::string& op, std::vector<std::string> inputs,
            json attr = json::object()) {
    nodes_.push_back({{"name", name}, {"op", op}, {"input", inputs}, {"attr", attr}});
  }
  // A float32 constant, stored as float16 when `half`.
  void Const(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& v,
             bool half = false) {
    Node(name, "Const", {});
    json spec = {{"name", name}, {"shape", shape}, {"dtype", "float32"}};
    if (half) {
      spec["quantization"] = {{"dtype", "float16"}, {"original_dtype", "float32"}};
      for (float f : v) Append(ToHalf(f));
    } else {
      for (float f : v) Append(f);
    }
    weights_.push_back(spec);
  }
  void IntConst(const std::string& name, std::vector<int64_t> shape,
                const std::vector<int32_t>& v) {
    Node(name, "Const", {});
    weights_.push_back({{"name", name}, {"shape", shape}, {"dtype", "int32"}});
    for (int32_t i : v) Append(i);
  }
  std::filesystem::path Write(json signature = nullptr, bool write_shard = true) {
    json model = {
        {"format", "graph-model"},
        {"modelTopology", {{"node", nodes_}}},
        {"weightsManifest", json::array({{{"paths", {"w.bin"}}, {"weights", weights_}}})}};
    if (!signature.is_null()) model["signature"] = signature;
    std::ofstream(dir_ / "model.json") << model.dump();
    if (write_shard)
      std::ofstream(dir_ / "w.bin", std::ios::binary).write(bytes_.data(), bytes_.size());
    return dir_ / "model.json";
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  template <typename T>
  void Append(T v) {
    const char* p = reinterpret_cast<const char*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof v);
  }
  std::filesystem::path dir_;
  json nodes_ = json::array();
  json weights_ = json::array();
  std::string bytes_;
};

json Ints(std::vector<int> v) {
  json list = json::array();
  for (int i : v) list.push_back(std::to_string(i));
  return {{"list", {{"i", list}}}};
}
json Str(const std::string& base64) { return {{"s", base64}}; }
const char* const kValid = "VkFMSUQ=";  // "VALID"
const char* const kSame = "U0FNRQ==";   // "SAME"
const char* const kNhwc = "TkhXQw==";   // "NHWC"

// TF convolution, NHWC input [H][W][C], filter [kh][kw][cin][m]; depthwise when `depthwise`.
std::vector<float> ReferenceConv(const std::vector<float>& in, int h, int w, int c,
                                 const std::vector<float>& f, int k, int m, int stride, int pad_top,
                                 int pad_left, int oh, int ow, bool depthwise) {
  const int out_c = depthwise ? c * m : m;
  std::vector<float> out(static_cast<size_t>(oh) * ow * out_c, 0.0f);
  for (int y = 0; y < oh; ++y)
    for (int x = 0; x < ow; ++x)
      for (int o = 0; o < out_c; ++o) {
        double sum = 0;
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = y * stride + ky - pad_top, ix = x * stride + kx - pad_left;
            if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
            if (depthwise) {
              const int ci = o / m, mi = o % m;
              sum += in[(iy * w + ix) * c + ci] * f[((ky * k + kx) * c + ci) * m + mi];
            } else {
              for (int ci = 0; ci < c; ++ci)
                sum += in[(iy * w + ix) * c + ci] * f[((ky * k + kx) * c + ci) * m + o];
            }
          }
        out[(y * ow + x) * out_c + o] = static_cast<float>(sum);
      }
  return out;
}

std::vector<float> Values(int n, int seed, float scale) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-32, 32);  // multiples of 1/32: exact in float16
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(d(rng)) / 32.0f * scale;
  return v;
}

// An ONNX→TF style graph (NCHW input, Pad + Transposes around an NHWC convolution, float16
// weights, bias Add, LeakyRelu) and a TF-native branch (depthwise SAME stride 2 on an odd size,
// Relu6): both must match the direct computation.
TEST(ImporterTest, MatchesDirectComputationOfTfSemantics) {
  const int H = 8, W = 7, C = 3, M = 4;
  GraphWriter g("conv");
  g.Node("input", "Placeholder", {},
         {{"shape",
           {{"shape",
             {{"dim", {{{"size", "1"}}, {{"size", "3"}}, {{"size", "8"}}, {{"size", "7"}}}}}}}}});
  g.IntConst("pads", {4, 2}, {0, 0, 0, 0, 1, 1, 1, 1});
  g.Node("pad", "Pad", {"input", "pads"});
  g.IntConst("to_nhwc", {4}, {0, 2, 3, 1});
  g.Node("nhwc", "Transpose", {"pad", "to_nhwc"});
  const auto filter = Values(3 * 3 * C * M, 1, 1.0f);
  g.Const("filter", {3, 3, C, M}, filter, /*half=*/true);
  g.Node("conv", "Conv2D", {"nhwc", "filter"},
         {{"strides", Ints({1, 2, 2, 1})}, {"padding", Str(kValid)}, {"data_format", Str(kNhwc)}});
  const auto bias = Values(M, 2, 0.5f);
  g.Const("bias", {M}, bias);
  g.Node("biased", "Add", {"conv", "bias"});
  g.IntConst("to_nchw", {4}, {0, 3, 1, 2});
  g.Node("nchw", "Transpose", {"biased", "to_nchw"});
  g.Node("a", "LeakyRelu", {"nchw"}, {{"alpha", {{"f", 0.1}}}});
  const auto dw = Values(3 * 3 * C * 2, 3, 2.0f);
  g.Const("dw", {3, 3, C, 2}, dw);
  g.Node("depthwise", "DepthwiseConv2dNative", {"nhwc", "dw"},
         {{"strides", Ints({1, 2, 2, 1})}, {"padding", Str(kSame)}, {"data_format", Str(kNhwc)}});
  g.Node("b", "Relu6", {"depthwise"});
  ImportOptions options;
  options.outputs = {"a", "b"};
  auto imported = ImportTfjsModel(g.Write(), options);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  // The layout tracking leaves one Transpose (NCHW → NHWC for output "b"); the Pad is absorbed
  // into both convolutions' pads.
  EXPECT_EQ(imported->onnx_ops["Transpose"], 1);
  EXPECT_EQ(imported->onnx_ops.count("Pad"), 0u);
  EXPECT_EQ(imported->onnx_ops["Conv"], 2);
  EXPECT_EQ(imported->onnx_ops["Clip"], 1);
  ASSERT_EQ(imported->outputs.size(), 2u);
  EXPECT_EQ(imported->outputs[0].shape, (Shape{1, M, 4, 4}));
  EXPECT_EQ(imported->outputs[1].shape, (Shape{1, 5, 5, 2 * C}));

  auto net = NetFromOnnx(imported->onnx, "test");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const auto nchw = Values(C * H * W, 4, 4.0f);
  const int dims[] = {1, C, H, W};
  net->setInput(cv::Mat(4, dims, CV_32F, const_cast<float*>(nchw.data())));
  std::vector<cv::Mat> outs;
  net->forward(outs, std::vector<std::string>{"a", "b"});

  // Reference: pad by 1, NHWC.
  const int ph = H + 2, pw = W + 2;
  std::vector<float> padded(static_cast<size_t>(ph) * pw * C, 0.0f);
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        padded[((y + 1) * pw + (x + 1)) * C + c] = nchw[(c * H + y) * W + x];
  auto a = ReferenceConv(padded, ph, pw, C, filter, 3, M, 2, 0, 0, 4, 4, false);
  // SAME, stride 2, on the padded 10x9: output 5x5; rows get a total pad of 1, which TF puts at
  // the bottom (asymmetric), columns 2, one on each side.
  auto b = ReferenceConv(padded, ph, pw, C, dw, 3, 2, 2, 0, 1, 5, 5, true);
  float max_diff = 0;
  for (int o = 0; o < M; ++o)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) {
        float v = a[(y * 4 + x) * M + o] + bias[o];
        v = v > 0 ? v : 0.1f * v;
        max_diff = std::max(max_diff, std::abs(v - outs[0].ptr<float>()[(o * 4 + y) * 4 + x]));
      }
  EXPECT_LT(max_diff, 1e-4);
  max_diff = 0;
  for (size_t k = 0; k < b.size(); ++k) {
    const float v = std::min(std::max(b[k], 0.0f), 6.0f);
    max_diff = std::max(max_diff, std::abs(v - outs[1].ptr<float>()[k]));
  }
  EXPECT_LT(max_diff, 1e-4);
}

TEST(ImporterTest, UnsupportedOpNamesFileNodeAndOp) {
  GraphWriter g("unsupported");
  g.Node("input", "Placeholder", {},
         {{"shape", {{"shape", {{"dim", {{{"size", "1"}}, {{"size", "8"}}}}}}}}});
  g.IntConst("k", {}, {3});
  g.Node("top", "TopKV2", {"input", "k"});
  const auto path = g.Write();
  ImportOptions options;
  options.outputs = {"top"};
  auto imported = ImportTfjsModel(path, options);
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), Code::kUnsupported);
  EXPECT_NE(imported.status().message().find(path.string()), std::string::npos);
  EXPECT_NE(imported.status().message().find("'top'"), std::string::npos);
  EXPECT_NE(imported.status().message().find("TopKV2"), std::string::npos);
  options.outputs = {"nonexistent"};
  auto unknown = ImportTfjsModel(path, options);
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
}

TEST(ImporterTest, BadFilesAreClearErrors) {
  GraphWriter g("bad");
  g.Node("input", "Placeholder", {});
  g.Const("w", {4}, {1, 2, 3, 4});
  const auto path = g.Write(nullptr, /*write_shard=*/false);
  auto missing = LoadTfjsGraph(path);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_NE(missing.status().message().find("w.bin"), std::string::npos);

  std::ofstream(g.dir() / "w.bin", std::ios::binary) << "abc";  // 3 bytes, 16 needed
  auto truncated = LoadTfjsGraph(path);
  EXPECT_EQ(truncated.status().code(), Code::kCorrupt);
  EXPECT_NE(truncated.status().message().find("'w'"), std::string::npos);

  std::ofstream(g.dir() / "broken.json") << "{\"modelTopology\": ";
  EXPECT_EQ(LoadTfjsGraph(g.dir() / "broken.json").status().code(), Code::kCorrupt);
  std::ofstream(g.dir() / "layers.json")
      << R"({"format": "layers-model", "modelTopology": {}, "weightsManifest": []})";
  EXPECT_EQ(LoadTfjsGraph(g.dir() / "layers.json").status().code(), Code::kUnsupported);
  EXPECT_EQ(LoadTfjsGraph(g.dir() / "absent.json").status().code(), Code::kNotFound);
}

TEST(ImporterTest, DecodesFloat16Weights) {
  GraphWriter g("half");
  g.Node("input", "Placeholder", {});
  const std::vector<float> v = {1.0f, -2.5f, 0.0f, 65504.0f, 0.000061035156f, -0.125f};
  g.Const("w", {2, 3}, v, /*half=*/true);
  auto graph = LoadTfjsGraph(g.Write());
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  const HostTensor& w = graph->weights.at("w");
  EXPECT_EQ(w.shape, (Shape{2, 3}));
  EXPECT_EQ(w.f, v);
}

// y = input * k, input [1, 3, 2, 2], loaded with LoadNet; returns y's first value for input 1.
float LoadAndRun(const std::filesystem::path& model, int size = 2) {
  ImportOptions options;
  options.input_height = options.input_width = size;
  auto loaded = LoadNet(model, options);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return NAN;
  const int dims[] = {1, 3, size, size};
  loaded->net.setInput(cv::Mat(4, dims, CV_32F, cv::Scalar(1.0f)));
  EXPECT_EQ(loaded->outputs.at(0).shape, (Shape{1, 3, size, size}));
  return loaded->net.forward(loaded->outputs.at(0).name).ptr<float>()[0];
}

std::filesystem::path WriteScale(GraphWriter& g, float k, const std::string& output) {
  g.Node("input", "Placeholder", {},
         {{"shape",
           {{"shape",
             {{"dim", {{{"size", "1"}}, {{"size", "3"}}, {{"size", "2"}}, {{"size", "2"}}}}}}}}});
  g.Const("k", {1}, {k});
  g.Node(output, "Mul", {"input", "k"});
  return g.Write({{"outputs", {{output, {{"name", output + ":0"}}}}}});
}

// LoadNet imports a model once per process; a file rewritten since, or other options, import
// again.
TEST(NetLoaderTest, ImportsOnceButNotAStaleOrDifferentlySizedModel) {
  GraphWriter first("scale");
  const std::filesystem::path model = WriteScale(first, 2.0f, "y");
  EXPECT_EQ(LoadAndRun(model), 2.0f);
  EXPECT_EQ(LoadAndRun(model), 2.0f);
  EXPECT_EQ(LoadAndRun(model, 4), 2.0f);  // another input size: its own import

  GraphWriter second("scale");  // same folder, rewritten: another size and modification time
  ASSERT_EQ(WriteScale(second, 3.0f, "scaled"), model);
  EXPECT_EQ(LoadAndRun(model), 3.0f);
}

}  // namespace
}  // namespace imagemill::model

namespace imagemill::model {
namespace {

class RealModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = imagemill::testing::ModelsDir();
    ASSERT_FALSE(dir_.empty()) << "scripts/fetch-models.sh failed";
  }
  std::filesystem::path dir_;
};

// NanoDet is an ONNX→TF export: 83 Transposes and 29 Pads around its NHWC convolutions. Layout
// tracking leaves only the 6 Transposes that its outputs really contain, and every Pad is
// absorbed into a convolution or pooling.
TEST_F(RealModelTest, NanoDetLosesItsLayoutTransposesAndPads) {
  auto imported = ImportTfjsModel(dir_ / "nanodet.json", {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->tf_ops["Transpose"], 83);
  EXPECT_EQ(imported->onnx_ops["Transpose"], 6);
  EXPECT_EQ(imported->onnx_ops.count("Pad"), 0u);
  EXPECT_EQ(imported->onnx_ops["Conv"], 34);
  ASSERT_EQ(imported->inputs.size(), 1u);
  EXPECT_EQ(imported->inputs[0].shape, (Shape{1, 3, 416, 416}));
}

TEST_F(RealModelTest, NanoDetImportsAtOtherSizes) {
  ImportOptions options;
  options.input_height = options.input_width = 320;
  auto imported = ImportTfjsModel(dir_ / "nanodet.json", options);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  std::set<Shape> shapes;
  for (const auto& o : imported->outputs) shapes.insert(o.shape);
  EXPECT_EQ(
      shapes,
      (std::set<Shape>{
          {1, 1600, 80}, {1, 400, 80}, {1, 100, 80}, {1, 1600, 44}, {1, 400, 44}, {1, 100, 44}}));
  auto net = NetFromOnnx(imported->onnx, "nanodet-320");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const int dims[] = {1, 3, 320, 320};
  net->setInput(cv::Mat(4, dims, CV_32F, cv::Scalar(0.5)));
  std::vector<cv::Mat> outs;
  std::vector<std::string> names;
  for (const auto& o : imported->outputs) names.push_back(o.name);
  net->forward(outs, names);
  for (size_t k = 0; k < outs.size(); ++k) {
    EXPECT_EQ(static_cast<int64_t>(outs[k].total()), NumElements(imported->outputs[k].shape))
        << names[k];
  }
}

TEST_F(RealModelTest, CenterNetImportsUpToItsHeatmapButNotItsTail) {
  auto whole = ImportTfjsModel(dir_ / "centernet.json", {});
  ASSERT_FALSE(whole.ok());
  // Its tail (peak mask, TopKV2, gather) has ops OpenCV cannot run; the error names the first one
  // met and says how to cut the graph.
  EXPECT_EQ(whole.status().code(), Code::kUnsupported);
  EXPECT_NE(whole.status().message().find("(op Equal)"), std::string::npos)
      << whole.status().ToString();
  EXPECT_NE(whole.status().message().find("--outputs"), std::string::npos);
  ImportOptions options;
  options.outputs = {"tower_0/keypoints", "tower_0/wh"};
  auto cut = ImportTfjsModel(dir_ / "centernet.json", options);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->outputs[0].shape, (Shape{1, 128, 128, 80}));
  EXPECT_EQ(cut->outputs[1].shape, (Shape{1, 128, 128, 4}));
}

}  // namespace
}  // namespace imagemill::model
