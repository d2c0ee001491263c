//===- DataTestUtil.h - Helpers for the KilnData tests ----------*- C++ -*-===//

#ifndef KILN_TEST_DATA_DATATESTUTIL_H
#define KILN_TEST_DATA_DATATESTUTIL_H

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <zlib.h>

namespace kiln::test {

/// A fresh directory under the system temp dir, removed with its contents
/// when the object goes away.
class TempDir {
public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kiln-data-test-XXXXXX")
            .string();
    if (!mkdtemp(pattern.data()))
      std::abort();
    dir_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string &name) const {
    return (std::filesystem::path(dir_) / name).string();
  }
  const std::string &dir() const { return dir_; }
  /// Names of the files in the directory, sorted.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(dir_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  std::string dir_;
};

inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void writeGzip(const std::string &path, const std::string &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

} // namespace kiln::test

#endif // KILN_TEST_DATA_DATATESTUTIL_H
