// A temporary directory for tests that need real database files (WAL, two
// connections, reopen). Created under $TEST_TMPDIR or /tmp, removed with its
// contents on destruction.
#ifndef JIT_LIBS_STORAGE_TESTING_TEMP_DIR_H_
#define JIT_LIBS_STORAGE_TESTING_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace jit::storage::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
        "/jit-storage-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when the directory could not be created.
  const std::string& path() const { return path_; }
  // path()/name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace jit::storage::testing

#endif  // JIT_LIBS_STORAGE_TESTING_TEMP_DIR_H_
