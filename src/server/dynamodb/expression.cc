#include "server/dynamodb/expression.h"

#include <cctype>

#include "server/dynamodb/attribute_value.h"

namespace imagemill::server::dynamodb {
namespace {

constexpr size_t kMaxExpressionBytes = 4096;  // DynamoDB's limit for one expression
constexpr int kMaxDepth = 64;                 // nesting of parentheses and NOT

enum class Tok { kEnd, kName, kPlaceholderName, kPlaceholderValue, kNumber, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  size_t pos = 0;
};

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class Parser {
 public:
  Parser(const std::string& text, std::string what, ExpressionContext& ctx)
      : text_(text), what_(std::move(what)), ctx_(ctx) {}

  bool Tokenize() {
    if (text_.size() > kMaxExpressionBytes) {
      return Fail("Invalid " + what_ + ": the expression is over 4 KB");
    }
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.pos = i;
      if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < text_.size() && IsNameChar(text_[j])) ++j;
        if (j == i + 1) return SyntaxError(std::string(1, c), i);
        t.kind = c == '#' ? Tok::kPlaceholderName : Tok::kPlaceholderValue;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        t.kind = Tok::kNumber;
        t.text = text_.substr(i, j - i);
        i = j;
      } else if (IsNameChar(c)) {
        size_t j = i;
        while (j < text_.size() && IsNameChar(text_[j])) ++j;
        t.kind = Tok::kName;
        t.text = text_.substr(i, j - i);
        i = j;
      } else {
        t.kind = Tok::kPunct;
        std::string two = text_.substr(i, 2);
        if (two == "<>" || two == "<=" || two == ">=") {
          t.text = two;
          i += 2;
        } else if (std::string("()=<>,.[]").find(c) != std::string::npos) {
          t.text = std::string(1, c);
          ++i;
        } else {
          return SyntaxError(std::string(1, c), i);
        }
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = text_.size();
    tokens_.push_back(end);
    return true;
  }

  std::unique_ptr<Condition> ParseWholeCondition() {
    if (tokens_.size() == 1) {
      Fail("Invalid " + what_ + ": The expression can not be empty;");
      return nullptr;
    }
    auto c = ParseOr(0);
    if (c && Peek().kind != Tok::kEnd) {
      SyntaxError(Peek().text, Peek().pos);
      return nullptr;
    }
    return c;
  }

  bool ParseWholeProjection(std::vector<Path>* paths) {
    if (tokens_.size() == 1) return Fail("Invalid " + what_ + ": The expression can not be empty;");
    while (true) {
      Path p;
      if (!ParsePath(&p)) return false;
      paths->push_back(std::move(p));
      if (Peek().kind == Tok::kEnd) return true;
      if (!Expect(",")) return false;
    }
  }

  const std::string& error() const { return error_; }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  Token Next() {
    Token t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool IsPunct(const Token& t, std::string_view p) const {
    return t.kind == Tok::kPunct && t.text == p;
  }
  bool IsKeyword(const Token& t, std::string_view k) const {
    return t.kind == Tok::kName && Upper(t.text) == k;
  }

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool SyntaxError(const std::string& token, size_t pos) {
    size_t from = pos >= 10 ? pos - 10 : 0;
    std::string near = text_.substr(from, 20);
    return Fail("Invalid " + what_ + ": Syntax error; token: \"" +
                (token.empty() ? std::string("<EOF>") : token) + "\", near: \"" + near + "\"");
  }
  bool Expect(std::string_view p) {
    if (!IsPunct(Peek(), p)) return SyntaxError(Peek().text, Peek().pos);
    Next();
    return true;
  }

  bool ResolveName(const Token& t, std::string* out) {
    if (t.kind == Tok::kName) {
      *out = t.text;
      return true;
    }
    if (ctx_.names == nullptr || !ctx_.names->contains(t.text) ||
        !(*ctx_.names)[t.text].is_string()) {
      return Fail("Invalid " + what_ +
                  ": An expression attribute name used in the document path is not defined; "
                  "attribute name: " +
                  t.text);
    }
    ctx_.used_names.insert(t.text);
    *out = (*ctx_.names)[t.text].get<std::string>();
    return true;
  }

  bool ParsePath(Path* path) {
    Token first = Next();
    if (first.kind != Tok::kName && first.kind != Tok::kPlaceholderName) {
      return SyntaxError(first.text, first.pos);
    }
    PathElement e;
    if (!ResolveName(first, &e.name)) return false;
    path->push_back(std::move(e));
    while (true) {
      if (IsPunct(Peek(), ".")) {
        Next();
        Token t = Next();
        if (t.kind != Tok::kName && t.kind != Tok::kPlaceholderName) {
          return SyntaxError(t.text, t.pos);
        }
        PathElement m;
        if (!ResolveName(t, &m.name)) return false;
        path->push_back(std::move(m));
      } else if (IsPunct(Peek(), "[")) {
        Next();
        Token t = Next();
        if (t.kind != Tok::kNumber || t.text.size() > 9) return SyntaxError(t.text, t.pos);
        PathElement idx;
        idx.index = std::stoi(t.text);
        path->push_back(std::move(idx));
        if (!Expect("]")) return false;
      } else {
        return true;
      }
    }
  }

  bool ParseOperand(Operand* op) {
    const Token& t = Peek();
    if (t.kind == Tok::kPlaceholderValue) {
      Next();
      if (ctx_.values == nullptr || !ctx_.values->contains(t.text)) {
        return Fail("Invalid " + what_ +
                    ": An expression attribute value used in expression is not defined; "
                    "attribute value: " +
                    t.text);
      }
      const Json& v = (*ctx_.values)[t.text];
      std::string problem = ValidateAttributeValue(v, "ExpressionAttributeValues[" + t.text + "]");
      if (!problem.empty()) return Fail(problem);
      ctx_.used_values.insert(t.text);
      op->kind = Operand::Kind::kValue;
      op->value = v;
      return true;
    }
    if (t.kind == Tok::kName && Upper(t.text) == "SIZE" && IsPunct(Peek(1), "(")) {
      Next();
      Next();
      op->kind = Operand::Kind::kSize;
      if (!ParsePath(&op->path)) return false;
      return Expect(")");
    }
    op->kind = Operand::Kind::kPath;
    return ParsePath(&op->path);
  }

  std::unique_ptr<Condition> ParseOr(int depth) {
    auto left = ParseAnd(depth);
    while (left && IsKeyword(Peek(), "OR")) {
      Next();
      auto right = ParseAnd(depth);
      if (!right) return nullptr;
      auto c = std::make_unique<Condition>();
      c->kind = Condition::Kind::kOr;
      c->children.push_back(std::move(left));
      c->children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  std::unique_ptr<Condition> ParseAnd(int depth) {
    auto left = ParseNot(depth);
    while (left && IsKeyword(Peek(), "AND")) {
      Next();
      auto right = ParseNot(depth);
      if (!right) return nullptr;
      auto c = std::make_unique<Condition>();
      c->kind = Condition::Kind::kAnd;
      c->children.push_back(std::move(left));
      c->children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  std::unique_ptr<Condition> ParseNot(int depth) {
    if (depth > kMaxDepth) {
      Fail("Invalid " + what_ + ": the expression nests more than 64 deep");
      return nullptr;
    }
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      auto inner = ParseNot(depth + 1);
      if (!inner) return nullptr;
      auto c = std::make_unique<Condition>();
      c->kind = Condition::Kind::kNot;
      c->children.push_back(std::move(inner));
      return c;
    }
    return ParsePrimary(depth);
  }

  std::unique_ptr<Condition> ParsePrimary(int depth) {
    if (IsPunct(Peek(), "(")) {
      Next();
      auto inner = ParseOr(depth + 1);
      if (!inner || !Expect(")")) return nullptr;
      return inner;
    }
    static const char* kFunctions[] = {"attribute_exists", "attribute_not_exists", "attribute_type",
                                       "begins_with", "contains"};
    if (Peek().kind == Tok::kName && IsPunct(Peek(1), "(")) {
      std::string name = Peek().text;
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      bool known = false;
      for (const char* f : kFunctions) known = known || name == f;
      if (known) return ParseFunction(name);
      if (name != "size") {
        Fail("Invalid " + what_ + ": Invalid function name; function: " + Peek().text);
        return nullptr;
      }
    }
    Operand left;
    if (!ParseOperand(&left)) return nullptr;
    auto c = std::make_unique<Condition>();
    const Token& t = Peek();
    if (t.kind == Tok::kPunct && (t.text == "=" || t.text == "<>" || t.text == "<" ||
                                  t.text == "<=" || t.text == ">" || t.text == ">=")) {
      c->kind = Condition::Kind::kCompare;
      c->op = Next().text;
      Operand right;
      if (!ParseOperand(&right)) return nullptr;
      c->operands = {std::move(left), std::move(right)};
      return c;
    }
    if (IsKeyword(t, "BETWEEN")) {
      Next();
      Operand low, high;
      if (!ParseOperand(&low)) return nullptr;
      if (!IsKeyword(Peek(), "AND")) {
        SyntaxError(Peek().text, Peek().pos);
        return nullptr;
      }
      Next();
      if (!ParseOperand(&high)) return nullptr;
      c->kind = Condition::Kind::kBetween;
      c->operands = {std::move(left), std::move(low), std::move(high)};
      return c;
    }
    if (IsKeyword(t, "IN")) {
      Next();
      if (!Expect("(")) return nullptr;
      c->kind = Condition::Kind::kIn;
      c->operands.push_back(std::move(left));
      while (true) {
        Operand v;
        if (!ParseOperand(&v)) return nullptr;
        c->operands.push_back(std::move(v));
        if (c->operands.size() > 101) {
          Fail("Invalid " + what_ +
               ": The IN operator is provided with too many operands; "
               "at most 100 are allowed");
          return nullptr;
        }
        if (IsPunct(Peek(), ")")) break;
        if (!Expect(",")) return nullptr;
      }
      Next();
      return c;
    }
    SyntaxError(t.text, t.pos);
    return nullptr;
  }

  std::unique_ptr<Condition> ParseFunction(const std::string& name) {
    Next();  // the name
    Next();  // (
    auto c = std::make_unique<Condition>();
    c->kind = Condition::Kind::kFunction;
    c->op = name;
    Operand path;
    path.kind = Operand::Kind::kPath;
    if (!ParsePath(&path.path)) return nullptr;
    c->operands.push_back(std::move(path));
    const bool two = name == "attribute_type" || name == "begins_with" || name == "contains";
    if (two && IsPunct(Peek(), ")")) {
      Fail("Invalid " + what_ +
           ": Incorrect number of operands for operator or function; "
           "operator or function: " +
           name + ", number of operands: 1");
      return nullptr;
    }
    if (two) {
      if (!Expect(",")) return nullptr;
      Operand second;
      if (!ParseOperand(&second)) return nullptr;
      c->operands.push_back(std::move(second));
    }
    if (!IsPunct(Peek(), ")")) {
      Fail("Invalid " + what_ +
           ": Incorrect number of operands for operator or function; "
           "operator or function: " +
           name + ", number of operands: more than " + std::to_string(two ? 2 : 1));
      return nullptr;
    }
    Next();
    return c;
  }

  const std::string& text_;
  const std::string what_;
  ExpressionContext& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string error_;
};

std::string JoinSet(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& k : s) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

}  // namespace

std::unique_ptr<Condition> ParseCondition(const std::string& text, const std::string& what,
                                          ExpressionContext& ctx, std::string* error) {
  Parser p(text, what, ctx);
  std::unique_ptr<Condition> c;
  if (p.Tokenize()) c = p.ParseWholeCondition();
  if (!c) *error = p.error();
  return c;
}

bool ParseProjection(const std::string& text, ExpressionContext& ctx, std::vector<Path>* paths,
                     std::string* error) {
  Parser p(text, "ProjectionExpression", ctx);
  if (p.Tokenize() && p.ParseWholeProjection(paths)) return true;
  *error = p.error();
  return false;
}

std::string UnusedPlaceholders(const ExpressionContext& ctx) {
  std::set<std::string> names, values;
  if (ctx.names != nullptr && ctx.names->is_object()) {
    for (const auto& [k, v] : ctx.names->items()) {
      if (!ctx.used_names.count(k)) names.insert(k);
    }
  }
  if (ctx.values != nullptr && ctx.values->is_object()) {
    for (const auto& [k, v] : ctx.values->items()) {
      if (!ctx.used_values.count(k)) values.insert(k);
    }
  }
  if (!names.empty()) {
    return "Value provided in ExpressionAttributeNames unused in expressions: keys: {" +
           JoinSet(names) + "}";
  }
  if (!values.empty()) {
    return "Value provided in ExpressionAttributeValues unused in expressions: keys: {" +
           JoinSet(values) + "}";
  }
  return "";
}

std::string PathToString(const Path& path) {
  std::string out;
  for (const PathElement& e : path) {
    if (e.name.empty()) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += e.name;
    }
  }
  return out;
}

}  // namespace imagemill::server::dynamodb
