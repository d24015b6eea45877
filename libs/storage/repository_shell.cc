#include "libs/storage/repository_shell.h"

#include "libs/status/status_macros.h"

namespace jit::storage {

absl::StatusOr<std::unique_ptr<Database>> OpenMigrated(
    const DatabaseOptions& options, const std::vector<Migration>& migrations,
    const std::vector<std::string>& writable_setup) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(options));
  if (!options.read_only) {
    for (const std::string& sql : writable_setup) {
      RETURN_IF_ERROR(db->Execute(sql));
    }
  }
  RETURN_IF_ERROR(db->Migrate(migrations));
  return db;
}

}  // namespace jit::storage
