// jitctl import: bulk import of applications and attendance from CSV files,
// for centres with a poor connection. See import_rows.h for the idempotency
// rule (request ids derived from each row's content).
//
// Whether a row was "already imported" is known from a local journal of the
// request ids acknowledged by the service (per service address); the
// services' replay of a known request id is what guarantees that nothing is
// written twice, journal or not.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/status/field_violations.h"
#include "nlohmann/json.hpp"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/csv.h"
#include "tools/jitctl/import_journal.h"
#include "tools/jitctl/import_rows.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace ev1 = jobintech::enrollment::v1;
namespace pv1 = jobintech::progress::v1;

std::string StateDir() {
  if (const char* s = std::getenv("XDG_STATE_HOME"); s != nullptr && *s != '\0') {
    return absl::StrCat(s, "/jitctl");
  }
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
    return absl::StrCat(h, "/.local/state/jitctl");
  }
  return "";
}

std::string DefaultJournalPath() {
  if (const char* p = std::getenv("JITCTL_JOURNAL"); p != nullptr && *p != '\0') return p;
  const std::string dir = StateDir();
  return dir.empty() ? "" : dir + "/import-journal.tsv";
}

std::string DefaultImportKeyPath() {
  if (const char* p = std::getenv("JITCTL_IMPORT_KEY_FILE"); p != nullptr && *p != '\0') return p;
  const std::string dir = StateDir();
  return dir.empty() ? "" : dir + "/import.key";
}

enum class Outcome { kImported, kAlreadyImported, kRejected, kNotAttempted };

absl::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kImported:
      return "imported";
    case Outcome::kAlreadyImported:
      return "already_imported";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNotAttempted:
      return "not_attempted";
  }
  return "";
}

struct RowResult {
  int row = 0;
  int line = 0;
  std::string request_id;
  Outcome outcome = Outcome::kNotAttempted;
  std::string id;          // application id / trainee id
  std::string code;        // status code of a rejection by the service
  std::string message;     // the service's message
  std::vector<RowError> errors;
  std::string note;        // e.g. "same content as row 3"
};

struct Counts {
  int imported = 0, already = 0, rejected = 0, not_attempted = 0;
};

// Progress on stderr: a bar on a terminal, plain counts otherwise.
class ProgressDisplay {
 public:
  ProgressDisplay(int total, bool enabled) : total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}
  void Update(int done, const Counts& c) {
    if (!enabled_ || total_ == 0) return;
    if (tty_) {
      const int width = 30;
      const int filled = done * width / total_;
      std::fprintf(stderr, "\r[%s%s] %d/%d  imported %d  already %d  rejected %d ", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), done, total_, c.imported, c.already, c.rejected);
      if (done == total_) std::fprintf(stderr, "\n");
      std::fflush(stderr);
      return;
    }
    const int step = done * 10 / total_;
    if (step > last_step_ || done == total_) {
      last_step_ = step;
      std::fprintf(stderr, "progress: %d/%d rows (imported %d, already imported %d, rejected %d)\n", done, total_,
                   c.imported, c.already, c.rejected);
    }
  }
  void Abort() {
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  int total_;
  bool enabled_;
  bool tty_;
  int last_step_ = 0;
};

void RejectWith(RowResult& r, ImportKind kind, const absl::Status& st) {
  r.outcome = Outcome::kRejected;
  r.code = absl::StatusCodeToString(st.code());
  r.message = std::string(st.message());
  for (const auto& v : status::GetFieldViolations(st)) {
    r.errors.push_back({ColumnForField(kind, v.field), v.description});
  }
}

std::string RowReport(const RowResult& r) {
  std::string out = absl::StrCat("row ", r.row, " (line ", r.line, "): ", OutcomeName(r.outcome));
  if (r.errors.empty() && !r.code.empty()) absl::StrAppend(&out, ": ", r.code, ": ", r.message);
  for (const RowError& e : r.errors) {
    absl::StrAppend(&out, "\n    ", e.column.empty() ? "row" : e.column, ": ", e.description);
  }
  if (!r.note.empty()) absl::StrAppend(&out, " (", r.note, ")");
  return out + "\n";
}

int RunImport(Context& ctx, const ParsedArgs& args, ImportKind kind) {
  const std::string path = args.positional[0];
  std::string text;
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ctx.Usage(absl::StrCat("cannot read '", path, "'"));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  char delimiter = DetectDelimiter(text);
  if (args.Has("delimiter")) {
    const std::string d = args.Get("delimiter");
    if (d == "tab" || d == "\\t") {
      delimiter = '\t';
    } else if (d.size() == 1) {
      delimiter = d[0];
    } else {
      return ctx.Usage("--delimiter must be one character (or 'tab')");
    }
  }
  std::vector<CsvRecord> records = ParseCsv(text, delimiter);
  if (records.empty()) return ctx.Usage(absl::StrCat("'", path, "' is empty: it needs a header line"));
  if (!records[0].error.empty()) return ctx.Usage(absl::StrCat("header: ", records[0].error));
  RowDefaults defaults;
  defaults.cohort_id = args.Get("cohort");
  defaults.module_id = args.Get("module");
  if (args.Has("date")) {
    auto d = ParseDate(args.Get("date"));
    if (!d.ok()) return ctx.Usage(absl::StrCat("--date: ", d.status().message()));
    defaults.session_date = FormatDate(*d);
  }
  auto header = ValidateHeader(kind, records[0].fields, defaults);
  if (!header.ok()) return ctx.Usage(header.status().message());

  const std::string address =
      kind == ImportKind::kApplications ? ctx.endpoints().enrollment : ctx.endpoints().progress;
  const std::string key_path = args.Get("import-key", DefaultImportKeyPath());
  if (key_path.empty()) {
    return ctx.Usage("no place for the import key: set --import-key, JITCTL_IMPORT_KEY_FILE or HOME");
  }
  const absl::StatusOr<std::string> id_key = LoadOrCreateImportKey(key_path);
  if (!id_key.ok()) return ctx.Fail(id_key.status());
  Journal journal(args.Bool("no-journal") ? "" : args.Get("journal", DefaultJournalPath()),
                  *id_key);
  const bool dry_run = args.Bool("dry-run");
  const int total = static_cast<int>(records.size()) - 1;
  ProgressDisplay progress(total, !args.Bool("quiet") && !dry_run);
  std::vector<RowResult> results;
  Counts counts;
  std::map<std::string, int> first_row_of;  // request id -> row
  bool unreachable = false;
  absl::Status unreachable_status;

  for (int i = 1; i <= total; ++i) {
    MappedRow mapped = MapRow(kind, *header, records[i], i, defaults, *id_key);
    RowResult r;
    r.row = mapped.row;
    r.line = mapped.line;
    r.request_id = mapped.request_id;
    if (!mapped.errors.empty()) {
      r.outcome = Outcome::kRejected;
      r.errors = mapped.errors;
    } else if (unreachable) {
      r.outcome = Outcome::kNotAttempted;
    } else {
      if (auto it = first_row_of.find(mapped.request_id); it != first_row_of.end()) {
        r.note = absl::StrCat("same content as row ", it->second);
      } else {
        first_row_of[mapped.request_id] = i;
      }
      if (dry_run) {
        r.outcome = Outcome::kNotAttempted;
        r.note = r.note.empty() ? "dry run: valid" : r.note;
      } else {
        bool known = journal.Contains(address, mapped.request_id);
        if (!known && journal.ContainsLegacy(address, mapped.legacy_request_id)) {
          // Imported by an older jitctl under its version-1 id: send that id
          // again so that the service replays instead of refusing a duplicate.
          known = true;
          if (mapped.application) mapped.application->set_request_id(mapped.legacy_request_id);
          if (mapped.attendance) mapped.attendance->set_request_id(mapped.legacy_request_id);
        }
        absl::Status st;
        if (kind == ImportKind::kApplications) {
          ev1::SubmitApplicationResponse resp;
          st = Unary(ctx, ctx.enrollment(), &ev1::EnrollmentService::StubInterface::SubmitApplication,
                     *mapped.application, &resp);
          r.id = resp.application().application_id();
        } else {
          pv1::RecordAttendanceResponse resp;
          st = Unary(ctx, ctx.progress(), &pv1::TrainingProgressService::StubInterface::RecordAttendance,
                     *mapped.attendance, &resp);
          r.id = mapped.attendance->entries(0).trainee_id();
        }
        if (st.ok()) {
          r.outcome = known ? Outcome::kAlreadyImported : Outcome::kImported;
          if (!known) journal.Add(address, mapped.request_id, r.id);
        } else if (IsUnreachable(st)) {
          unreachable = true;
          unreachable_status = st;
          r.outcome = Outcome::kNotAttempted;
        } else {
          RejectWith(r, kind, st);
        }
      }
    }
    switch (r.outcome) {
      case Outcome::kImported: ++counts.imported; break;
      case Outcome::kAlreadyImported: ++counts.already; break;
      case Outcome::kRejected: ++counts.rejected; break;
      case Outcome::kNotAttempted: ++counts.not_attempted; break;
    }
    results.push_back(std::move(r));
    progress.Update(i, counts);
  }
  if (unreachable) progress.Abort();

  const int exit_code = unreachable ? kExitUnreachable : (counts.rejected > 0 ? kExitFailed : kExitOk);
  if (ctx.json()) {
    nlohmann::json j;
    j["file"] = path;
    j["kind"] = std::string(ImportKindName(kind));
    j["service"] = address;
    j["dryRun"] = dry_run;
    j["rows"] = total;
    j["imported"] = counts.imported;
    j["alreadyImported"] = counts.already;
    j["rejected"] = counts.rejected;
    j["notAttempted"] = counts.not_attempted;
    if (unreachable) j["error"] = DescribeError(unreachable_status);
    j["results"] = nlohmann::json::array();
    for (const RowResult& r : results) {
      nlohmann::json row = {{"row", r.row}, {"line", r.line}, {"requestId", r.request_id},
                            {"outcome", std::string(OutcomeName(r.outcome))}, {"id", r.id}};
      if (!r.code.empty()) {
        row["code"] = r.code;
        row["message"] = r.message;
      }
      row["errors"] = nlohmann::json::array();
      for (const RowError& e : r.errors) row["errors"].push_back({{"column", e.column}, {"description", e.description}});
      if (!r.note.empty()) row["note"] = r.note;
      j["results"].push_back(row);
    }
    ctx.out() << j.dump() << "\n";
  } else {
    for (const RowResult& r : results) {
      if (r.outcome == Outcome::kRejected || (args.Bool("verbose") && r.outcome != Outcome::kNotAttempted) ||
          (dry_run && !r.note.empty() && r.note != "dry run: valid")) {
        ctx.out() << RowReport(r);
      }
    }
    if (dry_run) {
      ctx.out() << absl::StrFormat("%s from %s (dry run, nothing sent): %d rows: %d valid, %d rejected\n",
                                   ImportKindName(kind), path, total, counts.not_attempted, counts.rejected);
    } else {
      ctx.out() << absl::StrFormat("%s from %s: %d rows: %d imported, %d already imported, %d rejected",
                                   ImportKindName(kind), path, total, counts.imported, counts.already,
                                   counts.rejected);
      if (counts.not_attempted > 0) ctx.out() << ", " << counts.not_attempted << " not attempted";
      ctx.out() << "\n";
    }
    if (unreachable) {
      ctx.err() << "jitctl: " << DescribeError(unreachable_status) << "\n"
                << "jitctl: the service stopped answering; run the same command again later: rows already "
                   "imported are not imported twice\n";
    }
  }
  return exit_code;
}

int ImportApplications(Context& ctx, const ParsedArgs& args) {
  return RunImport(ctx, args, ImportKind::kApplications);
}
int ImportAttendance(Context& ctx, const ParsedArgs& args) { return RunImport(ctx, args, ImportKind::kAttendance); }

int ImportTemplate(Context& ctx, const ParsedArgs& args) {
  const std::string what = args.positional[0];
  ImportKind kind;
  if (what == "applications") {
    kind = ImportKind::kApplications;
  } else if (what == "attendance") {
    kind = ImportKind::kAttendance;
  } else {
    return ctx.Usage("import template: applications or attendance");
  }
  std::vector<std::string> names;
  for (const ColumnSpec& c : ColumnsOf(kind)) names.push_back(c.name);
  ctx.out() << absl::StrJoin(names, ",") << "\n";
  if (kind == ImportKind::kApplications) {
    ctx.out() << "coh_REPLACE_ME,Salma,El Amrani,BE123456,2001-04-17,0612345678,salma@example.ma,female,bac+2,MA-BEM\n";
  } else {
    ctx.out() << "coh_REPLACE_ME,network-basics,2026-02-03,trn_REPLACE_ME,present\n";
  }
  return kExitOk;
}

std::string ColumnsHelp(ImportKind kind) {
  std::string out = "Columns (header line required; any order; names case-insensitive):\n";
  for (const ColumnSpec& c : ColumnsOf(kind)) absl::StrAppend(&out, absl::StrFormat("  %-20s %s\n", c.name, c.help));
  return out;
}

const char kImportDetails[] =
    "The file is RFC 4180 CSV (',' or ';' separated, detected from the header; quotes for fields\n"
    "holding separators or line breaks). Each row is sent with a request id derived from its\n"
    "content, so running the same import again imports nothing twice: rows the service already has\n"
    "are reported as already imported. Rejected rows are listed with the column at fault; fix them\n"
    "and run the import again. A progress bar is shown on stderr when it is a terminal.\n"
    "Exit codes: 0 every row imported or already imported, 1 some rows rejected, 2 bad command line\n"
    "or bad header, 3 the service could not be reached (run again later).\n";

}  // namespace

void AddImportCommands(std::vector<Command>& out) {
  const std::vector<FlagSpec> common = {
      {"dry-run", "", FlagKind::kBool, "check the file without sending anything"},
      {"journal", "FILE", FlagKind::kValue,
       "where acknowledged request ids are kept (default $XDG_STATE_HOME/jitctl/import-journal.tsv, "
       "or $JITCTL_JOURNAL)"},
      {"no-journal", "", FlagKind::kBool, "keep no journal (rows the service replays count as imported)"},
      {"import-key", "FILE", FlagKind::kValue,
       "this installation's secret for request ids (default $XDG_STATE_HOME/jitctl/import.key, or "
       "$JITCTL_IMPORT_KEY_FILE; created 0600 on first use)"},
      {"delimiter", "CHAR", FlagKind::kValue, "field separator (default: detected, ',' or ';'; 'tab' for TSV)"},
      {"quiet", "", FlagKind::kBool, "no progress on stderr"},
      {"verbose", "", FlagKind::kBool, "report every row, not only rejected ones"}};
  std::vector<FlagSpec> app_flags = common;
  app_flags.push_back({"cohort", "COHORT_ID", FlagKind::kValue, "the cohort of rows without a cohort_id column"});
  std::vector<FlagSpec> att_flags = common;
  att_flags.push_back({"cohort", "COHORT_ID", FlagKind::kValue, "the cohort of rows without a cohort_id column"});
  att_flags.push_back({"module", "MODULE_ID", FlagKind::kValue, "the module of rows without a module_id column"});
  att_flags.push_back({"date", "YYYY-MM-DD", FlagKind::kValue, "the session date of rows without session_date"});
  out.insert(out.end(), {
      {"import applications", "FILE.csv", 1, 1, false, "submit applications from a CSV file (idempotent)",
       app_flags,
       ColumnsHelp(ImportKind::kApplications) + kImportDetails +
           "Start from: jitctl import template applications > applications.csv",
       ImportApplications},
      {"import attendance", "FILE.csv", 1, 1, false, "record attendance from a CSV file (idempotent)", att_flags,
       ColumnsHelp(ImportKind::kAttendance) + kImportDetails +
           "One row per trainee and session; a class sheet can leave out cohort_id, module_id and\n"
           "session_date and give them with --cohort, --module and --date.",
       ImportAttendance},
      {"import template", "applications|attendance", 1, 1, false, "print a CSV template (header and an example row)",
       {}, "", ImportTemplate},
  });
}

}  // namespace jit::jitctl
