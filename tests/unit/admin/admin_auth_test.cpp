#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "admin/admin_server.h"
#include "temp_dir.h"

namespace medgate::admin {
namespace {

config::AdminTokenConfig token_file(const testing::TempDir& dir, const std::string& name, const std::string& token,
                                    const std::string& role, mode_t mode = 0600) {
  std::string path = dir / name;
  std::ofstream(path) << token << "\n";
  chmod(path.c_str(), mode);
  config::AdminTokenConfig c;
  c.file = path;
  c.role = role;
  return c;
}

TEST(AdminTokens, LoadsEachFileWithItsRole) {
  testing::TempDir dir;
  std::vector<BearerToken> tokens;
  ASSERT_TRUE(load_tokens({token_file(dir, "a", "aaaaaaaaaaaaaaaa1", "admin"),
                           token_file(dir, "o", "oooooooooooooooo2", "operator"),
                           token_file(dir, "u", "uuuuuuuuuuuuuuuu3", "auditor")},
                          tokens)
                  .ok());
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].token, "aaaaaaaaaaaaaaaa1");  // the trailing newline is not part of it
  EXPECT_EQ(tokens[0].role, Role::admin);
  EXPECT_EQ(tokens[1].role, Role::operator_);
  EXPECT_EQ(tokens[2].role, Role::auditor);
}

TEST(AdminTokens, RefusesShortDuplicateAndReadableTokens) {
  testing::TempDir dir;
  std::vector<BearerToken> tokens;
  auto s = load_tokens({token_file(dir, "short", "tooshort", "admin")}, tokens);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at least 16"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("tooshort"), std::string::npos) << s.message();

  s = load_tokens({token_file(dir, "x", "samesamesamesame1", "admin"), token_file(dir, "y", "samesamesamesame1", "auditor")},
                  tokens);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another admin.tokens entry"), std::string::npos) << s.message();

  s = load_tokens({token_file(dir, "g", "groupreadable12345", "admin", 0640)}, tokens);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir / "g"), std::string::npos) << s.message();
}

TEST(AdminTokens, AuthenticatesOnlyAnExactBearerToken) {
  std::vector<BearerToken> tokens = {{"0123456789abcdef", Role::auditor}, {"fedcba9876543210", Role::admin}};
  ASSERT_NE(authenticate(tokens, "Bearer fedcba9876543210"), nullptr);
  EXPECT_EQ(authenticate(tokens, "Bearer fedcba9876543210")->role, Role::admin);
  EXPECT_EQ(authenticate(tokens, "bearer 0123456789abcdef")->role, Role::auditor);  // scheme is case-insensitive
  EXPECT_EQ(authenticate(tokens, ""), nullptr);
  EXPECT_EQ(authenticate(tokens, "Bearer "), nullptr);
  EXPECT_EQ(authenticate(tokens, "Bearer 0123456789abcde"), nullptr);    // a prefix
  EXPECT_EQ(authenticate(tokens, "Bearer 0123456789abcdef0"), nullptr);  // longer
  EXPECT_EQ(authenticate(tokens, "Bearer 0123456789ABCDEF"), nullptr);   // the token is case-sensitive
  EXPECT_EQ(authenticate(tokens, "Basic 0123456789abcdef"), nullptr);
  EXPECT_EQ(authenticate(tokens, "Bearer0123456789abcdef"), nullptr);
}

}  // namespace
}  // namespace medgate::admin
