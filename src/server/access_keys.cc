#include "server/access_keys.h"

#include <fstream>
#include <sstream>

namespace imagemill::server {

Result<std::map<std::string, std::string>> LoadAccessKeys(const std::string& credentials_file,
                                                          const EnvLookup& env) {
  std::map<std::string, std::string> keys;
  if (!credentials_file.empty()) {
    std::ifstream in(credentials_file);
    if (!in) {
      return Status::InvalidArgument("cannot read the credentials file " + credentials_file +
                                     " (give an AWS credentials file: [name] sections with "
                                     "aws_access_key_id and aws_secret_access_key)");
    }
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& [section, values] : ParseIni(text.str())) {
      auto id = values.find("aws_access_key_id");
      auto secret = values.find("aws_secret_access_key");
      const bool has_id = id != values.end() && !id->second.empty();
      const bool has_secret = secret != values.end() && !secret->second.empty();
      if (has_id != has_secret) {
        return Status::InvalidArgument("the credentials file " + credentials_file +
                                       " has half a key pair in [" + section +
                                       "]: give both aws_access_key_id and "
                                       "aws_secret_access_key");
      }
      if (has_id) keys[id->second] = secret->second;
    }
  }
  std::optional<std::string> id = env("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env("AWS_SECRET_ACCESS_KEY");
  if (id && !id->empty() && secret && !secret->empty()) keys[*id] = *secret;
  return keys;
}

}  // namespace imagemill::server
