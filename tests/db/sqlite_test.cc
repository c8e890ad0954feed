#include "db/sqlite.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace imagemill::sqlite {
namespace {

using imagemill::testing::TempDir;

// Commits `commits` transactions of 20 rows of 1 KiB: about 6 WAL pages each.
void Write(Connection& c, int commits) {
  c.Exec("CREATE TABLE IF NOT EXISTS t (v BLOB)");
  for (int i = 0; i < commits; ++i) {
    Transaction tx(c);
    Statement st = c.Prepare("INSERT INTO t (v) VALUES (randomblob(1024))");
    for (int r = 0; r < 20; ++r) st.Run();
    tx.Commit();
  }
}

uintmax_t DatabaseBytes(const std::string& path) { return std::filesystem::file_size(path); }

TEST(WalCheckpointer, CopiesTheWalOnItsOwnThreadOnceDue) {
  TempDir dir;
  const std::string path = dir.path() + "/t.db";
  Connection c(path);
  WalCheckpointer checkpointer(c, /*due_pages=*/60, /*force_pages=*/1 << 30);
  Write(c, 5);  // ~30 pages: not due
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  EXPECT_LT(DatabaseBytes(path), 20 * 1024u) << "nothing is copied into the database yet";
  Write(c, 15);  // ~120 pages
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  // The file grows while the pass copies; the count goes up when it has returned.
  while ((DatabaseBytes(path) < 100 * 1024u || checkpointer.checkpoints() < 1) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(checkpointer.checkpoints(), 1);
  EXPECT_GE(DatabaseBytes(path), 100 * 1024u) << "the rows reached the database file";
}

TEST(WalCheckpointer, ACommitPastTheForcedSizeCheckpointsItself) {
  TempDir dir;
  const std::string path = dir.path() + "/t.db";
  Connection c(path);
  WalCheckpointer checkpointer(c, /*due_pages=*/1 << 30, /*force_pages=*/60);
  Write(c, 20);
  EXPECT_GE(DatabaseBytes(path), 100 * 1024u);  // copied within the commits themselves
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  // The WAL stays near the forced size: it starts again once everything is copied.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 200 * 4096u);
}

TEST(WalCheckpointer, CommitsNoLongerCheckpointAtSqlitesThreshold) {
  TempDir dir;
  const std::string path = dir.path() + "/t.db";
  Connection c(path);
  c.Exec("PRAGMA wal_autocheckpoint=50");  // replaced by the checkpointer's own sizes
  WalCheckpointer checkpointer(c, /*due_pages=*/1 << 30, /*force_pages=*/1 << 30);
  Write(c, 20);
  EXPECT_LT(DatabaseBytes(path), 20 * 1024u);
  EXPECT_EQ(checkpointer.checkpoints(), 0);
}

TEST(WalCheckpointer, RowsWrittenDuringBackgroundCheckpointsAreAllKept) {
  TempDir dir;
  const std::string path = dir.path() + "/t.db";
  {
    Connection c(path);
    WalCheckpointer checkpointer(c, /*due_pages=*/30, /*force_pages=*/400);
    Write(c, 300);
  }
  Connection again(path);
  Statement n = again.Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(n.Step());
  EXPECT_EQ(n.Int(0), 300 * 20);
  Statement check = again.Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.Step());
  EXPECT_EQ(check.Text(0), "ok");
}

}  // namespace
}  // namespace imagemill::sqlite
