#include "server/console/console_auth.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace imagemill::server::console {
namespace {

Request WithCookie(const std::string& set_cookie) {
  Request r;
  r.headers.emplace_back("Cookie", "other=1; " + set_cookie.substr(0, set_cookie.find(';')));
  return r;
}

TEST(ConsoleAuthTest, OnLoopbackTheConsoleIsOpen) {
  testing::FakeClock clock;
  ConsoleAuth auth(true, {}, clock);
  EXPECT_TRUE(auth.SignedIn(Request{}));
}

TEST(ConsoleAuthTest, BeyondLoopbackOnlyASignedInSessionMayRead) {
  testing::FakeClock clock;
  ConsoleAuth auth(false, {{"AKID", "secret"}}, clock);
  EXPECT_FALSE(auth.SignedIn(Request{}));
  EXPECT_FALSE(auth.SignIn("AKID", "wrong"));
  EXPECT_FALSE(auth.SignIn("OTHER", "secret"));
  std::optional<std::string> cookie = auth.SignIn("AKID", "secret");
  ASSERT_TRUE(cookie);
  EXPECT_NE(cookie->find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("SameSite=Strict"), std::string::npos);
  EXPECT_TRUE(auth.SignedIn(WithCookie(*cookie)));
  EXPECT_FALSE(auth.SignedIn(WithCookie(std::string(kSessionCookie) + "=forged")));

  clock.Advance(std::chrono::hours(13));
  EXPECT_FALSE(auth.SignedIn(WithCookie(*cookie))) << "a session lasts 12 hours";
}

TEST(ConsoleAuthTest, SigningOutEndsTheSession) {
  testing::FakeClock clock;
  ConsoleAuth auth(false, {{"AKID", "secret"}}, clock);
  std::string cookie = *auth.SignIn("AKID", "secret");
  EXPECT_NE(auth.SignOut(WithCookie(cookie)).find("Max-Age=0"), std::string::npos);
  EXPECT_FALSE(auth.SignedIn(WithCookie(cookie)));
}

TEST(ConsoleAuthTest, APostNeedsTheConsoleHeaderAndAnOriginOfThisServer) {
  testing::FakeClock clock;
  ConsoleAuth auth(true, {}, clock);
  Request r;
  r.method = "POST";
  r.headers = {{"Host", "127.0.0.1:4566"}};
  EXPECT_NE(auth.CheckPost(r), "") << "a cross-site form cannot send the header";
  r.headers.emplace_back("x-imagemill-console", "1");
  EXPECT_EQ(auth.CheckPost(r), "");
  r.headers.emplace_back("Origin", "http://127.0.0.1:4566");
  EXPECT_EQ(auth.CheckPost(r), "");
  r.headers.back().second = "http://evil.example";
  EXPECT_NE(auth.CheckPost(r).find("evil.example"), std::string::npos);
}

TEST(ConsoleAuthTest, CookieValueFindsTheNamedCookieOnly) {
  EXPECT_EQ(CookieValue("a=1; imagemill_console=tok; b=2", "imagemill_console"), "tok");
  EXPECT_EQ(CookieValue("ximagemill_console=tok", "imagemill_console"), "");
  EXPECT_EQ(CookieValue("", "a"), "");
}

}  // namespace
}  // namespace imagemill::server::console
