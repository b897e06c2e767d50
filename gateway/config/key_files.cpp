#include "config/key_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>

namespace medgate::config {

sdk::Status check_key_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return sdk::Status::Invalid("key file " + path + " cannot be opened: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return sdk::Status::Invalid("key file " + path + " is not a regular file");
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return sdk::Status::Invalid("key file " + path + " is accessible by group or others (mode " + mode +
                                "); run `chmod 600 " + path + "`");
  }
  if (::access(path.c_str(), R_OK) != 0)
    return sdk::Status::Invalid("key file " + path + " is not readable: " + std::strerror(errno));
  return sdk::Status::Ok();
}

}  // namespace medgate::config
