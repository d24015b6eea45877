#include "tools/jitctl/import_rows.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/events/v1/progress_events.pb.h"
#include "tools/jitctl/enums.h"

namespace jit::jitctl {
namespace {

namespace ev1 = jobintech::enrollment::v1;
namespace pv1 = jobintech::progress::v1;
namespace cv1 = jobintech::common::v1;
namespace evt = jobintech::events::v1;

std::string NormalizeHeaderName(absl::string_view name) {
  std::string out(absl::StripAsciiWhitespace(name));
  absl::AsciiStrToLower(&out);
  for (char& c : out) {
    if (c == ' ' || c == '-') c = '_';
  }
  return out;
}

int IndexOf(const std::vector<ColumnSpec>& columns, absl::string_view name) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Reads the cells of one row by canonical column name.
class RowReader {
 public:
  RowReader(ImportKind kind, const HeaderMap& header, const CsvRecord& record,
            const RowDefaults& defaults, absl::string_view id_key)
      : columns_(ColumnsOf(kind)),
        header_(header),
        record_(record),
        defaults_(defaults),
        id_key_(id_key) {}

  // The installation's import key, for the row's request id.
  absl::string_view id_key() const { return id_key_; }

  // The trimmed cell, or the default when the column is absent.
  std::string Get(absl::string_view name) const {
    const int c = IndexOf(columns_, name);
    const int at = c < 0 ? -1 : header_.index[c];
    if (at >= 0 && at < static_cast<int>(record_.fields.size())) {
      return std::string(absl::StripAsciiWhitespace(record_.fields[at]));
    }
    if (name == "cohort_id") return defaults_.cohort_id;
    if (name == "module_id") return defaults_.module_id;
    if (name == "session_date") return defaults_.session_date;
    return "";
  }

 private:
  const std::vector<ColumnSpec>& columns_;
  const HeaderMap& header_;
  const CsvRecord& record_;
  const RowDefaults& defaults_;
  const absl::string_view id_key_;
};

std::string RemoveChars(absl::string_view s, absl::string_view chars) {
  std::string out;
  for (char c : s) {
    if (chars.find(c) == absl::string_view::npos) out.push_back(c);
  }
  return out;
}

std::string NormalizeEmail(absl::string_view email) {
  const size_t at = email.rfind('@');
  if (at == absl::string_view::npos) return std::string(email);
  return absl::StrCat(email.substr(0, at), "@", absl::AsciiStrToLower(email.substr(at + 1)));
}

void MapApplication(const RowReader& r, MappedRow& out) {
  ev1::SubmitApplicationRequest req;
  auto required = [&](absl::string_view column, std::string value) {
    if (value.empty()) out.errors.push_back({std::string(column), "is required"});
    return value;
  };
  req.set_cohort_id(required("cohort_id", r.Get("cohort_id")));
  auto* cand = req.mutable_candidate();
  cand->set_given_name(required("given_name", r.Get("given_name")));
  cand->set_family_name(required("family_name", r.Get("family_name")));
  std::string cin = RemoveChars(r.Get("national_id"), " ");
  absl::AsciiStrToUpper(&cin);
  cand->set_national_id(required("national_id", cin));
  std::string birth = r.Get("birth_date");
  if (birth.empty()) {
    out.errors.push_back({"birth_date", "is required"});
  } else if (auto d = ParseDate(birth); d.ok()) {
    *cand->mutable_birth_date() = *d;
    birth = FormatDate(*d);
  } else {
    out.errors.push_back({"birth_date", std::string(d.status().message())});
  }
  cand->set_phone(required("phone", RemoveChars(r.Get("phone"), " .-")));
  cand->set_email(NormalizeEmail(r.Get("email")));
  std::string gender = r.Get("gender");
  if (auto g = ParseEnumAs<cv1::Gender>(cv1::Gender_descriptor(), gender, true); g.ok()) {
    req.set_gender(*g);
    gender = ShortEnumName(cv1::Gender_descriptor(), *g);
  } else {
    out.errors.push_back({"gender", std::string(g.status().message())});
  }
  std::string education = r.Get("education_level");
  if (auto e = ParseEnumAs<cv1::EducationLevel>(cv1::EducationLevel_descriptor(), education, true);
      e.ok()) {
    req.set_education_level(*e);
    education = ShortEnumName(cv1::EducationLevel_descriptor(), *e);
  } else {
    out.errors.push_back({"education_level", std::string(e.status().message())});
  }
  std::string residence = r.Get("residence_province");
  absl::AsciiStrToUpper(&residence);
  req.set_residence_province_code(residence);
  if (!out.errors.empty()) return;
  out.canonical = absl::StrJoin(
      {req.cohort_id(), cand->given_name(), cand->family_name(), cand->national_id(), birth,
       cand->phone(), cand->email(), gender, education, residence},
      "\x1f");
  out.request_id = DeriveRequestId(ImportKind::kApplications, out.canonical, r.id_key());
  out.legacy_request_id = LegacyRequestId(ImportKind::kApplications, out.canonical);
  req.set_request_id(out.request_id);
  out.application = std::move(req);
}

void MapAttendance(const RowReader& r, MappedRow& out) {
  pv1::RecordAttendanceRequest req;
  auto required = [&](absl::string_view column, std::string value) {
    if (value.empty()) out.errors.push_back({std::string(column), "is required"});
    return value;
  };
  req.set_cohort_id(required("cohort_id", r.Get("cohort_id")));
  req.set_module_id(required("module_id", r.Get("module_id")));
  std::string date = r.Get("session_date");
  if (date.empty()) {
    out.errors.push_back({"session_date", "is required"});
  } else if (auto d = ParseDate(date); d.ok()) {
    *req.mutable_session_date() = *d;
    date = FormatDate(*d);
  } else {
    out.errors.push_back({"session_date", std::string(d.status().message())});
  }
  auto* entry = req.add_entries();
  entry->set_trainee_id(required("trainee_id", r.Get("trainee_id")));
  std::string mark = r.Get("mark");
  if (auto m = ParseEnumAs<evt::AttendanceMark>(evt::AttendanceMark_descriptor(), mark); m.ok()) {
    entry->set_mark(*m);
    mark = ShortEnumName(evt::AttendanceMark_descriptor(), *m);
  } else {
    out.errors.push_back({"mark", std::string(m.status().message())});
  }
  if (!out.errors.empty()) return;
  out.canonical = absl::StrJoin(
      {req.cohort_id(), req.module_id(), date, entry->trainee_id(), mark}, "\x1f");
  out.request_id = DeriveRequestId(ImportKind::kAttendance, out.canonical, r.id_key());
  out.legacy_request_id = LegacyRequestId(ImportKind::kAttendance, out.canonical);
  req.set_request_id(out.request_id);
  out.attendance = std::move(req);
}

}  // namespace

absl::string_view ImportKindName(ImportKind kind) {
  return kind == ImportKind::kApplications ? "applications" : "attendance";
}

const std::vector<ColumnSpec>& ColumnsOf(ImportKind kind) {
  static const auto* const kApplications = new std::vector<ColumnSpec>{
      {"cohort_id", "cohort_id", "the cohort applied to (or --cohort for every row)"},
      {"given_name", "candidate.given_name", "first name"},
      {"family_name", "candidate.family_name", "last name"},
      {"national_id", "candidate.national_id", "CIN: 1-2 letters then 1-6 digits"},
      {"birth_date", "candidate.birth_date", "YYYY-MM-DD or DD/MM/YYYY"},
      {"phone", "candidate.phone", "06XXXXXXXX or +2126XXXXXXXX"},
      {"email", "candidate.email", "e-mail address"},
      {"gender", "gender", "female (F) or male (M/H)"},
      {"education_level", "education_level",
       "below-baccalaureate, vocational, baccalaureate, bac+2, bac+3, bac+5, doctorate"},
      {"residence_province", "residence_province_code", "province of residence, e.g. MA-FQH"},
  };
  static const auto* const kAttendance = new std::vector<ColumnSpec>{
      {"cohort_id", "cohort_id", "the cohort (or --cohort for every row)"},
      {"module_id", "module_id", "the module of the session (or --module)"},
      {"session_date", "session_date", "YYYY-MM-DD or DD/MM/YYYY (or --date)"},
      {"trainee_id", "entries.trainee_id", "the trainee"},
      {"mark", "entries.mark",
       "present (P), excused-absence (E/AJ) or unexcused-absence (A/ANJ)"},
  };
  return kind == ImportKind::kApplications ? *kApplications : *kAttendance;
}

absl::StatusOr<HeaderMap> ValidateHeader(ImportKind kind, const std::vector<std::string>& header,
                                         const RowDefaults& defaults) {
  const std::vector<ColumnSpec>& columns = ColumnsOf(kind);
  HeaderMap map;
  map.index.assign(columns.size(), -1);
  map.width = static_cast<int>(header.size());
  std::vector<std::string> problems;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = NormalizeHeaderName(header[i]);
    if (name.empty()) {
      problems.push_back(absl::StrCat("column ", i + 1, " has no name"));
      continue;
    }
    const int c = IndexOf(columns, name);
    if (c < 0) {
      problems.push_back(absl::StrCat("unknown column '", header[i], "'"));
    } else if (map.index[c] >= 0) {
      problems.push_back(absl::StrCat("column '", name, "' appears twice"));
    } else {
      map.index[c] = static_cast<int>(i);
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (map.index[c] >= 0) continue;
    const std::string& name = columns[c].name;
    const bool defaulted = (name == "cohort_id" && !defaults.cohort_id.empty()) ||
                           (name == "module_id" && !defaults.module_id.empty()) ||
                           (name == "session_date" && !defaults.session_date.empty());
    if (!defaulted) problems.push_back(absl::StrCat("missing column '", name, "'"));
  }
  if (!problems.empty()) {
    std::vector<std::string> names;
    for (const ColumnSpec& c : columns) names.push_back(c.name);
    return absl::InvalidArgumentError(absl::StrCat(
        "bad header for an ", ImportKindName(kind), " file: ", absl::StrJoin(problems, "; "),
        " (expected columns: ", absl::StrJoin(names, ","), ")"));
  }
  return map;
}

MappedRow MapRow(ImportKind kind, const HeaderMap& header, const CsvRecord& record, int row,
                 const RowDefaults& defaults, absl::string_view id_key) {
  MappedRow out;
  out.row = row;
  out.line = record.line;
  if (!record.error.empty()) {
    out.errors.push_back({"", record.error});
    return out;
  }
  if (static_cast<int>(record.fields.size()) != header.width) {
    out.errors.push_back({"", absl::StrCat("has ", record.fields.size(), " fields, the header has ",
                                           header.width)});
    return out;
  }
  const RowReader reader(kind, header, record, defaults, id_key);
  if (kind == ImportKind::kApplications) {
    MapApplication(reader, out);
  } else {
    MapAttendance(reader, out);
  }
  return out;
}

namespace {

std::string Hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

absl::string_view KindTag(ImportKind kind) {
  return kind == ImportKind::kApplications ? "app" : "att";
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

std::string HmacSha256Hex(absl::string_view key, absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return Hex(digest, size);
}

std::string DeriveRequestId(ImportKind kind, absl::string_view canonical,
                            absl::string_view id_key) {
  const std::string mac = HmacSha256Hex(
      id_key, absl::StrCat("jitctl-import-v2\x1e", ImportKindName(kind), "\x1e", canonical));
  return absl::StrCat("imp-", KindTag(kind), "-v2-", mac.substr(0, 32));
}

std::string LegacyRequestId(ImportKind kind, absl::string_view canonical) {
  const std::string hash =
      Sha256Hex(absl::StrCat("jitctl-import-v1\x1e", ImportKindName(kind), "\x1e", canonical));
  return absl::StrCat("imp-", KindTag(kind), "-v1-", hash.substr(0, 32));
}

std::string MigrateJournalId(absl::string_view request_id, absl::string_view id_key) {
  for (ImportKind kind : {ImportKind::kApplications, ImportKind::kAttendance}) {
    const std::string v1 = absl::StrCat("imp-", KindTag(kind), "-v1-");
    if (absl::StartsWith(request_id, v1)) {
      return absl::StrCat("imp-", KindTag(kind), "-v1k-",
                          HmacSha256Hex(id_key, request_id).substr(0, 32));
    }
  }
  return std::string(request_id);
}

absl::StatusOr<std::string> LoadOrCreateImportKey(const std::string& path) {
  auto failed = [&](absl::string_view what) {
    return absl::FailedPreconditionError(absl::StrCat("import key ", path, ": ", what));
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    unsigned char key[32];
    if (RAND_bytes(key, sizeof(key)) != 1) return failed("no random bytes from OpenSSL");
    const std::string hex = Hex(key, sizeof(key));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      const std::string line = hex + "\n";
      const bool written = ::write(fd, line.data(), line.size()) ==
                           static_cast<ssize_t>(line.size());
      const bool synced = ::fsync(fd) == 0;
      ::close(fd);
      if (!written || !synced) return failed(absl::StrCat("cannot write: ", std::strerror(errno)));
    } else if (errno != EEXIST) {  // EEXIST: another jitctl made it first
      return failed(absl::StrCat("cannot create: ", std::strerror(errno)));
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return failed(absl::StrCat("cannot read: ", std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) return failed("readable by others; chmod 600 it");
  std::ifstream in(path);
  std::string hex;
  std::getline(in, hex);
  hex = std::string(absl::StripAsciiWhitespace(hex));
  std::string key;
  if (hex.size() != 64 || !absl::c_all_of(hex, [](char c) { return absl::ascii_isxdigit(c); })) {
    return failed("not 64 hex digits");
  }
  for (size_t i = 0; i < hex.size(); i += 2) {
    key.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return key;
}

std::string ColumnForField(ImportKind kind, absl::string_view field_path) {
  // Drop list indices: "entries[0].mark" -> "entries.mark".
  std::string path;
  bool in_index = false;
  for (char c : field_path) {
    if (c == '[') in_index = true;
    if (!in_index) path.push_back(c);
    if (c == ']') in_index = false;
  }
  for (const ColumnSpec& c : ColumnsOf(kind)) {
    if (path == c.proto_field) return c.name;
    // A nested detail of a column's field ("candidate.birth_date.year").
    if (absl::StartsWith(path, absl::StrCat(c.proto_field, "."))) return c.name;
  }
  if (kind == ImportKind::kAttendance && path == "entries") return "trainee_id";
  return std::string(field_path);
}

}  // namespace jit::jitctl
