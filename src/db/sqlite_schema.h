// The SQLite database's schema and its versions. A file imagemill made carries the application id
// "imml" and its schema version (PRAGMA user_version); opening one brings it to the current
// version, in one transaction, or refuses it by name.
#pragma once

#include <string>

#include "db/sqlite.h"

namespace imagemill::sqlite {

// The schema this build writes. Version 1 is imagemill 0.1's layout (it carried no version: a
// file with its tables and user_version 0); version 2 keys answers by source, id and kind;
// version 3 stores an inventory's answer as its object's fields (results.last_modified).
inline constexpr int kSchemaVersion = 3;
inline constexpr int kApplicationId = 0x696d6d6c;  // "imml"

// Creates the schema in an empty file, migrates an older imagemill's, or throws DatabaseError
// (kPermanent) naming `describe` for a file imagemill did not make or a newer imagemill's.
void OpenSchema(Connection& conn, const std::string& describe);

}  // namespace imagemill::sqlite
