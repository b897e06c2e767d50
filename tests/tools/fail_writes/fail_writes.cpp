// Fault injection for the integration tests, loaded with LD_PRELOAD into the
// process under test: while the file named by MEDGATE_FAIL_WRITES_WHEN
// exists, write(2) to any file whose path starts with
// MEDGATE_FAIL_WRITES_UNDER fails with ENOSPC ("No space left on device"),
// as on a full disk. Everything else, and everything while the file is
// absent, goes to the real write(2). A full file system would do the same
// but not deterministically (a write into the free tail of a file's last
// page still succeeds).
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {
using WriteFn = ssize_t (*)(int, const void*, size_t);

bool should_fail(int fd) {
  const char* under = std::getenv("MEDGATE_FAIL_WRITES_UNDER");
  const char* when = std::getenv("MEDGATE_FAIL_WRITES_WHEN");
  if (!under || !when || !*under || access(when, F_OK) != 0) return false;
  char link[64], path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return false;
  path[n] = '\0';
  return std::strncmp(path, under, std::strlen(under)) == 0;
}
}  // namespace

extern "C" ssize_t write(int fd, const void* buf, size_t count) {
  static const WriteFn real = reinterpret_cast<WriteFn>(dlsym(RTLD_NEXT, "write"));
  if (should_fail(fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}
