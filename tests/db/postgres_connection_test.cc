#include "db/postgres_connection.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "db/postgres_arrays.h"
#include "support/fake_clock.h"

namespace imagemill::pg {
namespace {

TEST(PostgresErrors, ConnectionAndContentionStatesAreTransient) {
  for (const char* s : {"08006", "08001", "40001", "40P01", "53300", "57P01", "57P03", "55P03"}) {
    EXPECT_TRUE(IsTransientSqlState(s)) << s;
  }
  for (const char* s : {"42P01", "23505", "22021", "28P01", "3D000", "", "57014"}) {
    EXPECT_FALSE(IsTransientSqlState(s)) << s;
  }
}

TEST(PostgresErrors, RefusedConnectionsAreTransientBadCredentialsAreNot) {
  EXPECT_TRUE(IsTransientConnectFailure(
      "connection to server at \"127.0.0.1\", port 1 failed: Connection refused"));
  EXPECT_TRUE(IsTransientConnectFailure("FATAL:  the database system is starting up"));
  EXPECT_FALSE(IsTransientConnectFailure(
      "FATAL:  password authentication failed for user \"imagemill\""));
  EXPECT_FALSE(IsTransientConnectFailure("FATAL:  database \"nope\" does not exist"));
}

TEST(PostgresConnectionString, AddsKeepalivesAndTimeoutsUnlessGiven) {
  std::string s = ConnectionString("postgresql://u:secret@db.example:6543/jobs?connect_timeout=3");
  EXPECT_NE(s.find("host='db.example'"), std::string::npos) << s;
  EXPECT_NE(s.find("port='6543'"), std::string::npos) << s;
  EXPECT_NE(s.find("connect_timeout='3'"), std::string::npos) << s;
  EXPECT_NE(s.find("keepalives='1'"), std::string::npos) << s;
  EXPECT_NE(s.find("tcp_user_timeout='30000'"), std::string::npos) << s;
  EXPECT_NE(s.find("options='-c synchronous_commit=off'"), std::string::npos) << s;
  EXPECT_NE(ConnectionString("").find("keepalives_idle='10'"), std::string::npos);
}

TEST(PostgresConnectionString, ABadUriIsAPermanentErrorThatShowsTheForm) {
  try {
    ConnectionString("postgresql://u@host/x?nosuchoption=1");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("postgresql://USER:PASSWORD@HOST:PORT/DATABASE"),
              std::string::npos)
        << e.what();
  }
}

TEST(PostgresConnectionString, TheTargetNeverShowsThePassword) {
  EXPECT_EQ(DescribeTarget("postgresql://worker:hunter2@10.1.2.3:5433/imagemill"),
            "postgresql://worker@10.1.2.3:5433/imagemill");
  ::setenv("PGHOST", "pg.internal", 1);
  ::setenv("PGDATABASE", "fleet", 1);
  ::setenv("PGUSER", "w", 1);
  ::unsetenv("PGPORT");
  EXPECT_EQ(DescribeTarget(""), "postgresql://w@pg.internal:5432/fleet");
  ::unsetenv("PGHOST");
  ::unsetenv("PGDATABASE");
  ::unsetenv("PGUSER");
}

TEST(PostgresConnectionString, APastedUriNeverShowsThePassword) {
  EXPECT_EQ(WithoutPassword("postgresql://worker:hunter2@10.1.2.3:5433/imagemill?sslmode=require"),
            "postgresql://worker@10.1.2.3:5433/imagemill?sslmode=require");
  EXPECT_EQ(WithoutPassword("postgresql://h/db?password=hunter2&sslmode=require"),
            "postgresql://h/db?sslmode=require");
  EXPECT_EQ(WithoutPassword("postgresql://h/db?sslmode=require&password=hunter2"),
            "postgresql://h/db?sslmode=require");
  EXPECT_EQ(WithoutPassword("postgresql://h/db?password=x"), "postgresql://h/db");
  EXPECT_EQ(WithoutPassword("postgresql://"), "postgresql://");
  EXPECT_EQ(WithoutPassword("postgresql://u@h/db"), "postgresql://u@h/db");
}

TEST(PostgresBackoff, DoublesWithJitterUpToTheCapThenGivesUp) {
  testing::FakeClock clock;
  clock.set_uniform(1.0);  // the top of each jitter range
  RetryOptions options{std::chrono::milliseconds(100), std::chrono::milliseconds(400),
                       std::chrono::milliseconds(1000)};
  Backoff backoff(options, clock);
  while (backoff.Wait()) {
  }
  std::vector<Clock::Duration> sleeps = clock.sleeps();
  ASSERT_EQ(sleeps.size(), 4u);  // 100 + 200 + 400 + 400 reaches the 1 s limit
  EXPECT_EQ(sleeps[0], std::chrono::milliseconds(100));
  EXPECT_EQ(sleeps[1], std::chrono::milliseconds(200));
  EXPECT_EQ(sleeps[2], std::chrono::milliseconds(400));
  EXPECT_EQ(sleeps[3], std::chrono::milliseconds(400));
}

TEST(PostgresConnection, NobodyListeningFailsAfterTheShortFirstConnectWaitNamingTheTarget) {
  testing::FakeClock clock;  // the backoff's sleeps pass at once
  const auto start = clock.Steady();
  try {
    // Port 1: nobody listens there, every attempt is refused at once.
    Connection c("postgresql://worker:hunter2@127.0.0.1:1/fleet", clock);
    FAIL() << "connected";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_TRUE(e.transient());
    EXPECT_NE(what.find("postgresql://worker@127.0.0.1:1/fleet"), std::string::npos) << what;
    EXPECT_NE(what.find("for 30 s"), std::string::npos) << what;
    EXPECT_NE(what.find(kConnectWaitVariable), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
  const auto waited = clock.Steady() - start;
  EXPECT_GE(waited, std::chrono::seconds(30));
  EXPECT_LT(waited, std::chrono::seconds(40)) << "the 30 s default, not the 5 minutes of a run";
}

TEST(PostgresConnection, TheFirstConnectWaitIsAnOption) {
  testing::FakeClock clock;
  RetryOptions retry;
  retry.first_connect_give_up_after = std::chrono::seconds(2);
  const auto start = clock.Steady();
  EXPECT_THROW(Connection("postgresql://u@127.0.0.1:1/db", clock, retry), Error);
  EXPECT_LT(clock.Steady() - start, std::chrono::seconds(10));
}

TEST(PostgresArrays, QuotesText) {
  ArrayLiteral a;
  a.Text("plain").Text("with \"quotes\" and \\ back").Text("").Text("{,}");
  EXPECT_EQ(a.str(), R"({"plain","with \"quotes\" and \\ back","","{,}"})");
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(ArrayLiteral().str(), "{}");
  EXPECT_EQ(ArrayLiteral().Int(-3).Int(7).str(), "{-3,7}");
  EXPECT_EQ(ArrayLiteral().Bool(true).Bool(false).Double(0.5).str(), "{t,f,0.5}");
}

TEST(PostgresArrays, PacksBytesWithTheirOffsetsAndLengths) {
  PackedBytes p;
  p.Add(std::string("\x00\xff", 2)).Add("").Add("abc");
  pqxx::binarystring blob = p.blob();
  EXPECT_EQ(blob.str(), std::string("\x00\xff" "abc", 5));
  EXPECT_EQ(p.offsets(), "{1,3,3}");
  EXPECT_EQ(p.lengths(), "{2,0,3}");
  EXPECT_EQ(PackedBytes().offsets(), "{}");
}

}  // namespace
}  // namespace imagemill::pg
