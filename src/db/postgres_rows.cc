#include "db/postgres_rows.h"

#include <charconv>

#include "db/postgres_connection.h"

namespace imagemill::pg {

void Durable(pqxx::work& tx) { tx.exec("SET LOCAL synchronous_commit = on"); }

std::string Bytes(const pqxx::field& f) {
  pqxx::binarystring b(f);
  return b.str();
}

std::vector<int64_t> BigintArray(const pqxx::field& f) {
  std::vector<int64_t> out;
  if (f.is_null()) return out;
  std::string_view text(f.c_str(), f.size());
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    throw Error("PostgreSQL answered '" + std::string(text) + "' where a bigint[] was expected",
                false);
  }
  text = text.substr(1, text.size() - 2);
  while (!text.empty()) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc()) throw Error("PostgreSQL answered a bigint[] that is not one", false);
    out.push_back(v);
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    if (!text.empty() && text.front() == ',') text.remove_prefix(1);
  }
  return out;
}

ItemOutcome ReadOtherOutcome(const pqxx::row& r, ItemStatus status, int first) {
  ItemOutcome o;
  o.item = {r[first].as<std::string>(), r[first + 2].as<uint64_t>(),
            r[first + 1].as<std::string>(), r[first + 3].as<std::string>()};
  o.status = status;
  o.error = r[first + 4].as<std::string>();
  o.cause = r[first + 5].as<std::string>();
  o.start_ms = r[first + 6].as<int64_t>();
  o.stop_ms = r[first + 7].as<int64_t>();
  o.attempts = r[first + 8].as<int>();
  return o;
}

}  // namespace imagemill::pg
