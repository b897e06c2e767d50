#include "medgate/sdk/secrets.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace medgate::sdk {

Status check_secret_file(const std::string& path, std::string_view what) {
  const std::string name = std::string(what) + " " + path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::Invalid(name + " cannot be opened: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::Invalid(name + " is not a regular file");
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::Invalid(name + " is accessible by group or others (mode " + mode + "); run `chmod 600 " + path +
                           "`");
  }
  if (::access(path.c_str(), R_OK) != 0) return Status::Invalid(name + " is not readable: " + std::strerror(errno));
  return Status::Ok();
}

Status read_secret_file(const std::string& path, std::string& out, std::string_view what, std::size_t max_bytes) {
  if (Status s = check_secret_file(path, what); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(std::string(what) + " " + path + " cannot be opened");
  std::string text;
  text.resize(max_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::Invalid("cannot read " + std::string(what) + " " + path);
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes)
    return Status::Invalid(std::string(what) + " " + path + " is larger than " + std::to_string(max_bytes) + " bytes");
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) return Status::Invalid(std::string(what) + " " + path + " is empty");
  out = std::move(text);
  return Status::Ok();
}

}  // namespace medgate::sdk
