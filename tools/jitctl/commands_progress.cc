// jitctl commands of the training-progress service: curricula, attendance,
// assessments, drop-outs, certificates and progress.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "jobintech/events/v1/placement_events.pb.h"
#include "jobintech/events/v1/progress_events.pb.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace pv1 = jobintech::progress::v1;
namespace evt = jobintech::events::v1;
namespace cmn = jobintech::common::v1;
using PS = pv1::TrainingProgressService::StubInterface;

const FlagSpec kNote{"reason", "TEXT", FlagKind::kValue,
                     "optional staff note (at most 500 characters; kept in the service's store, "
                     "never published)"};
const char kNoteHelp[] =
    "The reason code is published on the event; the note stays in the service's store\n"
    "(shown to callers in scope, erased by: jitctl candidate erase).";

std::string ProgressLine(const pv1::TraineeProgress& p) {
  std::string line = absl::StrFormat(
      "trainee %s (cohort %s): %s, attendance %.0f%%, required modules passed %.0f%%", p.trainee_id(),
      p.cohort_id(), ShortEnumName(evt::TrainingState_descriptor(), p.state()), p.attendance_rate() * 100,
      p.required_passed_ratio() * 100);
  if (p.at_risk()) absl::StrAppend(&line, ", AT RISK");
  if (p.has_certificate()) absl::StrAppend(&line, ", certificate ", p.certificate().certificate_id());
  if (p.has_exit_date()) absl::StrAppend(&line, ", exited ", FormatDate(p.exit_date()));
  if (p.drop_out_reason() != 0) {
    absl::StrAppend(&line, ", reason ",
                    ShortEnumName(cmn::DropOutReason_descriptor(), p.drop_out_reason()));
  }
  if (!p.exit_note().empty()) absl::StrAppend(&line, ", note: ", p.exit_note());
  if (p.certificate().revoked()) {
    absl::StrAppend(&line, ", certificate revoked (",
                    ShortEnumName(cmn::RevocationReason_descriptor(),
                                  p.certificate().revocation_reason_code()),
                    ")");
    if (!p.certificate().revocation_reason().empty()) {
      absl::StrAppend(&line, ", note: ", p.certificate().revocation_reason());
    }
  }
  return line + "\n";
}

const std::vector<Column> kProgressColumns = {
    {"TRAINEE", "trainee_id"}, {"STATE", "state"}, {"ATTENDANCE", "attendance_rate"},
    {"REQUIRED PASSED", "required_passed_ratio"}, {"AT RISK", "at_risk"},
    {"ABSENCES IN A ROW", "consecutive_unexcused_absences"}, {"EXIT", "exit_date"}};

int CurriculumPublish(Context& ctx, const ParsedArgs& args) {
  pv1::PublishCurriculumRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_track_id(args.Get("track"));
  int order = 0;
  for (const std::string& spec : args.All("module")) {
    std::vector<std::string> p = absl::StrSplit(spec, ';');
    pv1::Module* m = req.add_modules();
    double hours = 0, max = 0, pass = 0;
    if (p.size() < 5 || p.size() > 6 || !absl::SimpleAtod(p[2], &hours) || !absl::SimpleAtod(p[3], &max) ||
        !absl::SimpleAtod(p[4], &pass) || (p.size() == 6 && p[5] != "optional" && p[5] != "required")) {
      return ctx.Usage(absl::StrCat("--module '", spec,
                                    "': expected ID;TITLE;HOURS;MAX_SCORE;PASS_MARK[;optional]"));
    }
    m->set_module_id(p[0]);
    m->set_title(p[1]);
    m->set_order(++order);
    m->set_hours(hours);
    m->set_max_score(max);
    m->set_pass_mark(pass);
    m->set_required(p.size() == 5 || p[5] == "required");
  }
  pv1::PublishCurriculumResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::PublishCurriculum, req, &resp), resp, [&] {
    return absl::StrCat("curriculum of ", resp.curriculum().track_id(), " version ", resp.curriculum().version(),
                        " published with ", resp.curriculum().modules_size(), " modules\n");
  }, req.request_id());
}

int CurriculumShow(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::GetCurriculumRequest req;
  req.set_track_id(args.Get("track"));
  req.set_version(static_cast<int>(in.Int("version", 0, 1000000).value_or(0)));
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::GetCurriculumResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::GetCurriculum, req, &resp), resp, [&] {
    return absl::StrCat("curriculum of ", resp.curriculum().track_id(), ", version ", resp.curriculum().version(),
                        "\n") +
           RepeatedTable(resp.curriculum(), "modules",
                         {{"#", "order"}, {"MODULE", "module_id"}, {"TITLE", "title"}, {"HOURS", "hours"},
                          {"REQUIRED", "required"}, {"MAX", "max_score"}, {"PASS", "pass_mark"}});
  });
}

int AttendanceRecord(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::RecordAttendanceRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  req.set_module_id(args.Get("module"));
  *req.mutable_session_date() = in.Date("date");
  for (const std::string& id : args.All("present")) {
    auto* e = req.add_entries();
    e->set_trainee_id(id);
    e->set_mark(evt::ATTENDANCE_MARK_PRESENT);
  }
  for (const std::string& spec : args.All("mark")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      in.Problem(absl::StrCat("--mark '", spec, "': expected TRAINEE_ID=MARK"));
      continue;
    }
    auto mark = ParseEnumAs<evt::AttendanceMark>(evt::AttendanceMark_descriptor(), spec.substr(eq + 1));
    if (!mark.ok()) {
      in.Problem(absl::StrCat("--mark '", spec, "': ", mark.status().message()));
      continue;
    }
    auto* e = req.add_entries();
    e->set_trainee_id(spec.substr(0, eq));
    e->set_mark(*mark);
  }
  if (req.entries_size() == 0) in.Problem("give at least one --mark TRAINEE_ID=MARK or --present TRAINEE_ID");
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::RecordAttendanceResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::RecordAttendance, req, &resp), resp, [&] {
    return absl::StrCat("session of ", req.module_id(), " on ", FormatDate(req.session_date()), ": ",
                        req.entries_size(), " trainee(s) recorded\n") +
           RepeatedTable(resp, "progress", kProgressColumns);
  }, req.request_id());
}

int AssessmentRecord(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::RecordAssessmentRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  req.set_trainee_id(args.Get("trainee"));
  req.set_module_id(args.Get("module"));
  req.set_score(in.Double("score").value_or(0));
  *req.mutable_assessed_on() = in.Date("date");
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::RecordAssessmentResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::RecordAssessment, req, &resp), resp, [&] {
    return absl::StrCat("attempt ", resp.attempt(), " at ", req.module_id(), ": ",
                        resp.passed() ? "passed" : "not passed", "\n", ProgressLine(resp.progress()));
  }, req.request_id());
}

int DropOut(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::RecordDropOutRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  req.set_trainee_id(args.Get("trainee"));
  req.set_reason_code(
      in.EnumAs<cmn::DropOutReason>("reason-code", cmn::DropOutReason_descriptor(), false));
  req.set_reason(args.Get("reason"));
  *req.mutable_exit_date() = in.Date("date");
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::RecordDropOutResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::RecordDropOut, req, &resp), resp,
                     [&] { return ProgressLine(resp.progress()); }, req.request_id());
}

int CertificateIssue(Context& ctx, const ParsedArgs& args) {
  pv1::IssueCertificateRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  req.set_trainee_id(args.Get("trainee"));
  pv1::IssueCertificateResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::IssueCertificate, req, &resp), resp, [&] {
    return absl::StrCat("certificate ", resp.certificate().certificate_id(), " issued on ",
                        FormatDate(resp.certificate().issued_on()), "\n");
  }, req.request_id());
}

int CertificateRevoke(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::RevokeCertificateRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  req.set_trainee_id(args.Get("trainee"));
  req.set_reason_code(
      in.EnumAs<cmn::RevocationReason>("reason-code", cmn::RevocationReason_descriptor(), false));
  req.set_reason(args.Get("reason"));
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::RevokeCertificateResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::RevokeCertificate, req, &resp), resp, [&] {
    return absl::StrCat("certificate ", resp.certificate().certificate_id(), " revoked\n");
  }, req.request_id());
}

int ProgressShow(Context& ctx, const ParsedArgs& args) {
  pv1::GetTraineeProgressRequest req;
  req.set_cohort_id(args.Get("cohort"));
  req.set_trainee_id(args.positional[0]);
  pv1::GetTraineeProgressResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::GetTraineeProgress, req, &resp), resp, [&] {
    return ProgressLine(resp.progress()) +
           RepeatedTable(resp.progress(), "modules",
                         {{"MODULE", "module_id"}, {"REQUIRED", "required"}, {"BEST SCORE", "best_score"},
                          {"PASSED", "passed"}, {"ATTEMPTS", "attempts"}});
  });
}

int ProgressCohort(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  pv1::ListCohortProgressRequest req;
  req.set_cohort_id(args.positional[0]);
  if (auto n = in.Int("page-size", 1, 500)) req.mutable_page()->set_page_size(static_cast<int>(*n));
  if (!in.ok()) return ctx.Usage(in.problems());
  pv1::ListCohortProgressResponse resp;
  absl::Status st = ListPages<pv1::ListCohortProgressRequest, pv1::ListCohortProgressResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.progress().ListCohortProgress(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return absl::StrFormat("cohort %s: attendance %.1f%%\n", req.cohort_id(), resp.cohort_attendance_rate() * 100) +
           RepeatedTable(resp, "progress", kProgressColumns);
  });
}

int ExitShow(Context& ctx, const ParsedArgs& args) {
  pv1::GetTraineeExitRequest req;
  req.set_trainee_id(args.positional[0]);
  pv1::GetTraineeExitResponse resp;
  return ctx.Respond(Unary(ctx, ctx.progress(), &PS::GetTraineeExit, req, &resp), resp);
}

}  // namespace

void AddProgressCommands(std::vector<Command>& out) {
  const FlagSpec cohort{"cohort", "COHORT_ID", FlagKind::kRequired, "the cohort"};
  const FlagSpec trainee{"trainee", "TRAINEE_ID", FlagKind::kRequired, "the trainee (pseudonymous id)"};
  out.insert(out.end(), {
      {"curriculum publish", "", 0, 0, true, "publish a new curriculum version of a track",
       {{"track", "TRACK_ID", FlagKind::kRequired, "the track"},
        {"module", "SPEC", FlagKind::kRepeated,
         "a module, in order: ID;TITLE;HOURS;MAX_SCORE;PASS_MARK[;optional]"}},
       "Example: jitctl curriculum publish --track cybersecurity \\\n"
       "           --module \"net-basics;Network basics;40;20;10\" --module \"soc;SOC operations;60;20;12\"\n"
       "Cohorts keep the version in force when their first record was made.",
       CurriculumPublish},
      {"curriculum show", "", 0, 0, false, "the modules of a track's curriculum",
       {{"track", "TRACK_ID", FlagKind::kRequired, "the track"},
        {"version", "N", FlagKind::kValue, "a version (default: the latest)"}},
       "", CurriculumShow},
      {"attendance record", "", 0, 0, true, "record a class session: one mark per trainee",
       {cohort, {"module", "MODULE_ID", FlagKind::kRequired, "the module taught"},
        {"date", "YYYY-MM-DD", FlagKind::kRequired, "the session's date (within the cohort's dates)"},
        {"mark", "TRAINEE_ID=MARK", FlagKind::kRepeated,
         "a trainee's mark: present (P), excused-absence (E) or unexcused-absence (A)"},
        {"present", "TRAINEE_ID", FlagKind::kRepeated, "shorthand for --mark TRAINEE_ID=present"}},
       "Example: jitctl attendance record --cohort coh_... --module net-basics --date 2026-02-03 \\\n"
       "           --present trn_a --mark trn_b=excused --mark trn_c=A\n"
       "For many sessions or a poor connection, see: jitctl import attendance",
       AttendanceRecord},
      {"assessment record", "", 0, 0, true, "record an assessment of a module (retakes allowed)",
       {cohort, trainee, {"module", "MODULE_ID", FlagKind::kRequired, "the module assessed"},
        {"score", "SCORE", FlagKind::kRequired, "0 .. the module's max score"},
        {"date", "YYYY-MM-DD", FlagKind::kValue, "assessment date (default: today)"}},
       "", AssessmentRecord},
      {"dropout", "", 0, 0, true, "record that a trainee left the training",
       {cohort, trainee,
        {"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(cmn::DropOutReason_descriptor())},
        kNote, {"date", "YYYY-MM-DD", FlagKind::kValue, "exit date (default: today)"}},
       kNoteHelp, DropOut},
      {"certificate issue", "", 0, 0, true, "certify a trainee who completed the training", {cohort, trainee}, "",
       CertificateIssue},
      {"certificate revoke", "", 0, 0, true, "revoke a certificate",
       {cohort, trainee,
        {"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(cmn::RevocationReason_descriptor())},
        kNote},
       kNoteHelp, CertificateRevoke},
      {"progress show", "TRAINEE_ID", 1, 1, false, "a trainee's progress, module by module", {cohort}, "",
       ProgressShow},
      {"progress cohort", "COHORT_ID", 1, 1, false, "every trainee's progress in a cohort",
       {{"all", "", FlagKind::kBool, "fetch every page"},
        {"page-size", "N", FlagKind::kValue, "results per page"}},
       "", ProgressCohort},
      {"exit show", "TRAINEE_ID", 1, 1, false, "a trainee's exit from training (as the placement service sees it)",
       {}, "", ExitShow},
  });
}

}  // namespace jit::jitctl
