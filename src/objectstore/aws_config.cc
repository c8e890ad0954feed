#include "objectstore/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace imagemill {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// The first of `names` that is set and not empty.
std::optional<std::string> FirstEnv(const EnvLookup& env,
                                    std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::optional<std::string> v = env(n);
    if (v && !v->empty()) return v;
  }
  return std::nullopt;
}

struct SharedFile {
  std::string path;
  bool exists = false;
  IniFile ini;
};

SharedFile ReadShared(const EnvLookup& env, const char* var, const char* default_rel) {
  SharedFile f;
  std::optional<std::string> p = FirstEnv(env, {var});
  if (p) {
    f.path = *p;
  } else {
    std::optional<std::string> home = FirstEnv(env, {"HOME"});
    if (!home) return f;
    f.path = *home + "/" + default_rel;
  }
  if (f.path.starts_with("~/")) {
    std::optional<std::string> home = FirstEnv(env, {"HOME"});
    if (home) f.path = *home + f.path.substr(1);
  }
  std::ifstream in(f.path);
  if (!in) return f;
  std::stringstream ss;
  ss << in.rdbuf();
  f.exists = true;
  f.ini = ParseIni(ss.str());
  return f;
}

const std::map<std::string, std::string>* Section(const IniFile& ini, const std::string& name) {
  auto it = ini.find(name);
  return it == ini.end() ? nullptr : &it->second;
}

std::string Get(const std::map<std::string, std::string>* section, const std::string& key) {
  if (section == nullptr) return "";
  auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

}  // namespace

std::optional<std::string> ProcessEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

IniFile ParseIni(std::string_view text) {
  IniFile ini;
  std::string section;
  std::string nested;  // the key of an open "s3 =" block, or ""
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(std::string_view(line).substr(1, line.size() - 2));
      ini[section];
      nested.clear();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = Trim(std::string_view(line).substr(0, eq));
    std::string value = Trim(std::string_view(line).substr(eq + 1));
    const bool indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    if (indented && !nested.empty()) {
      ini[section][nested + "." + key] = value;
      continue;
    }
    nested = value.empty() ? key : "";
    if (!value.empty()) ini[section][key] = value;
  }
  return ini;
}

Result<S3ClientConfig> ResolveS3Config(std::string_view bucket, const StoreOptions& options,
                                       const EnvLookup& env) {
  S3ClientConfig cfg;
  const bool explicit_profile = !options.profile.empty();
  std::optional<std::string> env_profile = FirstEnv(env, {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"});
  cfg.profile = explicit_profile ? options.profile : env_profile.value_or("default");

  SharedFile creds_file = ReadShared(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  SharedFile config_file = ReadShared(env, "AWS_CONFIG_FILE", ".aws/config");
  const auto* creds_section = Section(creds_file.ini, cfg.profile);
  const auto* config_section =
      Section(config_file.ini, cfg.profile == "default" ? "default" : "profile " + cfg.profile);
  if (config_section == nullptr && cfg.profile == "default") {
    config_section = Section(config_file.ini, "profile default");
  }
  if ((explicit_profile || env_profile) && creds_section == nullptr && config_section == nullptr) {
    return Status::InvalidArgument(
        "AWS profile '" + cfg.profile + "' is not in " +
        (creds_file.path.empty() ? "~/.aws/credentials" : creds_file.path) + " or " +
        (config_file.path.empty() ? "~/.aws/config" : config_file.path) +
        " (check --profile / AWS_PROFILE)");
  }

  // Region.
  if (!options.region.empty()) {
    cfg.region = options.region;
  } else if (auto r = FirstEnv(env, {"AWS_REGION", "AWS_DEFAULT_REGION"})) {
    cfg.region = *r;
  } else if (std::string r = Get(config_section, "region"); !r.empty()) {
    cfg.region = r;
  } else {
    cfg.region = "us-east-1";
  }

  // Endpoint.
  std::string url = options.endpoint_url;
  if (url.empty()) url = FirstEnv(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}).value_or("");
  if (url.empty()) url = Get(config_section, "s3.endpoint_url");
  if (url.empty()) url = Get(config_section, "endpoint_url");
  if (!url.empty()) {
    Result<S3Endpoint> ep = ParseEndpointUrl(url);
    if (!ep.ok()) return ep.status();
    cfg.endpoint = *ep;
    cfg.endpoint_url = url;
    cfg.custom_endpoint = true;
  } else {
    cfg.endpoint = AwsEndpoint(cfg.region);
    cfg.endpoint_url = cfg.endpoint.scheme + "://" + cfg.endpoint.authority;
  }

  // Addressing style.
  using Addressing = StoreOptions::Addressing;
  Addressing addressing = options.addressing;
  if (addressing == Addressing::kAuto) {
    std::string style = Get(config_section, "s3.addressing_style");
    if (style == "path") addressing = Addressing::kPath;
    if (style == "virtual") addressing = Addressing::kVirtual;
  }
  if (addressing == Addressing::kAuto) {
    addressing = cfg.custom_endpoint ? Addressing::kPath : Addressing::kVirtual;
    if (!IsVirtualHostable(bucket, cfg.endpoint.scheme == "https")) addressing = Addressing::kPath;
  } else if (addressing == Addressing::kVirtual &&
             !IsVirtualHostable(bucket, cfg.endpoint.scheme == "https")) {
    return Status::InvalidArgument("bucket '" + std::string(bucket) +
                                   "' cannot be addressed virtual-hosted style (its name is not a "
                                   "valid host name); use path-style addressing");
  }
  cfg.endpoint.path_style = addressing == Addressing::kPath;

  // Credentials.
  auto from_files = [&]() -> Result<bool> {
    for (const auto& [file, section] :
         {std::pair{&creds_file, creds_section}, std::pair{&config_file, config_section}}) {
      std::string id = Get(section, "aws_access_key_id");
      std::string secret = Get(section, "aws_secret_access_key");
      if (id.empty() && secret.empty()) continue;
      if (id.empty() || secret.empty()) {
        return Status::InvalidArgument("profile '" + cfg.profile + "' in " + file->path +
                                       " has only half a key pair (aws_access_key_id and "
                                       "aws_secret_access_key are both needed)");
      }
      cfg.credentials = {id, secret, Get(section, "aws_session_token"),
                         file->path + " [" + cfg.profile + "]"};
      return true;
    }
    for (const char* unsupported : {"role_arn", "sso_start_url", "sso_session",
                                    "credential_process", "web_identity_token_file"}) {
      if (!Get(config_section, unsupported).empty() || !Get(creds_section, unsupported).empty()) {
        return Status::InvalidArgument(
            "profile '" + cfg.profile + "' gets its credentials through " + unsupported +
            ", which imagemill does not read; export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
            "and AWS_SESSION_TOKEN (e.g. from `aws configure export-credentials`)");
      }
    }
    return false;
  };
  std::optional<std::string> env_id = FirstEnv(env, {"AWS_ACCESS_KEY_ID"});
  std::optional<std::string> env_secret = FirstEnv(env, {"AWS_SECRET_ACCESS_KEY"});
  if (!explicit_profile && (env_id || env_secret)) {
    if (!env_id || !env_secret) {
      return Status::InvalidArgument(
          std::string(env_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is set but " +
          (env_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
          " is not: set both, or neither to use a profile");
    }
    cfg.credentials = {*env_id, *env_secret, FirstEnv(env, {"AWS_SESSION_TOKEN"}).value_or(""),
                       "AWS_ACCESS_KEY_ID"};
  } else {
    Result<bool> found = from_files();
    if (!found.ok()) return found.status();
  }
  return cfg;
}

}  // namespace imagemill
