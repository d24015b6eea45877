// The journal of `jitctl import`: request ids the services acknowledged,
// one "address<TAB>request_id<TAB>id" line each (mode 0600), appended as rows
// are imported. A journal written by jitctl before keyed ids holds
// version-1 ids (plain SHA-256 of rows): they are rewritten once, under the
// import key (MigrateJournalId), so that the journal keeps no plain hash of a
// row and still recognizes those rows.
#ifndef JIT_TOOLS_JITCTL_IMPORT_JOURNAL_H_
#define JIT_TOOLS_JITCTL_IMPORT_JOURNAL_H_

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace jit::jitctl {

class Journal {
 public:
  // `path` empty: no file (an in-memory journal for one run).
  Journal(std::string path, std::string id_key);

  bool Contains(const std::string& address, const std::string& request_id) const;
  // Whether a row was imported under its version-1 id (an old journal).
  bool ContainsLegacy(const std::string& address, const std::string& legacy_id) const;
  void Add(const std::string& address, const std::string& request_id, const std::string& id);

 private:
  // Replaces the file with `lines` (a temporary file renamed over it).
  void Rewrite(const std::vector<std::string>& lines);

  std::string path_;
  std::string id_key_;
  std::set<std::string> known_;
  std::ofstream out_;
};

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_IMPORT_JOURNAL_H_
