#include "tools/jitctl/import_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/jitctl/import_rows.h"

namespace jit::jitctl {
namespace {

// Creates `path` with mode 0600 unless it exists (so that the ofstream that
// opens it next does not make it world-readable).
bool CreatePrivate(const std::string& path, int extra_flags) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | extra_flags, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace

Journal::Journal(std::string path, std::string id_key)
    : path_(std::move(path)), id_key_(std::move(id_key)) {
  if (path_.empty()) return;
  std::ifstream in(path_);
  std::string line;
  std::vector<std::string> lines;
  bool migrated = false;
  while (std::getline(in, line)) {
    std::vector<std::string> p = absl::StrSplit(line, '\t');
    if (p.size() >= 2) {
      const std::string id = MigrateJournalId(p[1], id_key_);
      if (id != p[1]) {
        migrated = true;
        p[1] = id;
        line = absl::StrJoin(p, "\t");
      }
      known_.insert(p[0] + "\t" + p[1]);
    }
    lines.push_back(line);
  }
  if (migrated) Rewrite(lines);
}

bool Journal::Contains(const std::string& address, const std::string& request_id) const {
  return known_.count(address + "\t" + request_id) > 0;
}

bool Journal::ContainsLegacy(const std::string& address, const std::string& legacy_id) const {
  return !legacy_id.empty() && Contains(address, MigrateJournalId(legacy_id, id_key_));
}

void Journal::Add(const std::string& address, const std::string& request_id,
                  const std::string& id) {
  known_.insert(address + "\t" + request_id);
  if (path_.empty()) return;
  if (!out_.is_open()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    CreatePrivate(path_, O_APPEND);
    out_.open(path_, std::ios::app);
  }
  out_ << address << '\t' << request_id << '\t' << id << '\n';
  out_.flush();
}

void Journal::Rewrite(const std::vector<std::string>& lines) {
  const std::string tmp = path_ + ".tmp";
  if (!CreatePrivate(tmp, O_TRUNC)) return;
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const std::string& l : lines) out << l << '\n';
    if (!out.flush()) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
}

}  // namespace jit::jitctl
