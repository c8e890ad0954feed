// Writing a completion's answers and their label-index entries into PostgreSQL, inside the
// transaction that records their batch parts.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "db/state_store.h"
#include "workflow/records.h"

namespace imagemill::pg {

// Writes `answers` (succeeded outcomes, at most one per key) of execution `execution` as the
// answers of source number `source`, kind target.kind and processor target.processor, with
// their index entries, in `tx`.
//
// Answers none of which is stored yet (a first run over a source, the usual case) are copied in
// (COPY into results and labels, inside a savepoint): no array to parse, rows written many to a
// page. When one is stored already the copy fails on a unique index and is rolled back to the
// savepoint, and all of them are upserted by the server's imagemill_put_answers, which replaces
// the stored ones and their old index entries. Either way the rows are the same.
void WriteAnswers(pqxx::work& tx, int source, const std::string& execution,
                  const AnswerTarget& target, const std::vector<const ItemOutcome*>& answers);

}  // namespace imagemill::pg
