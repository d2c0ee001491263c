//===- AtomicFile.cpp - Replacing a file all at once ----------------------===//
//
// Write-to-temporary, fsync, rename, fsync the directory: the POSIX recipe
// by which a reader (or a restart after a crash or power loss) sees either
// the complete old file or the complete new one, never a mixture.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Detail.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln {
namespace data_detail {

namespace {

std::string errnoMessage(int error) { return std::strerror(error); }

Status writeAll(int fd, std::string_view bytes, const std::string &tempPath) {
  const char *data = bytes.data();
  size_t left = bytes.size();
  while (left != 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return fail(tempPath, "write error: " + errnoMessage(errno));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  return Status::ok();
}

/// Creates a new file named after \p path in the same directory (so the
/// rename stays within one file system). Mode 0666 filtered by the umask,
/// like any file the program would create.
int createTemporary(const std::string &path, std::string &tempPath) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path target(path);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = "." + target.filename().string() + ".tmp-" +
                       std::to_string(::getpid()) + "-" +
                       std::to_string(counter.fetch_add(1));
    tempPath = (target.parent_path() / name).string();
    int fd =
        ::open(tempPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  errno = EEXIST;
  return -1;
}

/// Makes the rename durable. Failure to open the directory (e.g. no read
/// permission) is not an error: the data itself is already synced.
void syncDirectory(const std::string &path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty())
    dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  ::fsync(fd);
  ::close(fd);
}

} // namespace

Status writeFileAtomically(const std::string &path,
                           const std::vector<std::string_view> &chunks) {
  if (path.empty())
    return Status::error("cannot save to an empty path");
  std::string tempPath;
  int fd = createTemporary(path, tempPath);
  if (fd < 0)
    return fail(path, "cannot create a temporary file next to it: " +
                          errnoMessage(errno));
  auto abandon = [&](Status status) {
    ::close(fd);
    ::unlink(tempPath.c_str());
    return status;
  };
  for (std::string_view chunk : chunks)
    if (Status s = writeAll(fd, chunk, tempPath); !s)
      return abandon(s);
  if (::fsync(fd) != 0)
    return abandon(fail(tempPath, "fsync failed: " + errnoMessage(errno)));
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(tempPath.c_str());
    return fail(tempPath, "close failed: " + errnoMessage(error));
  }
  if (::rename(tempPath.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(tempPath.c_str());
    return fail(path, "cannot replace the file: " + errnoMessage(error));
  }
  syncDirectory(path);
  return Status::ok();
}

} // namespace data_detail
} // namespace kiln
