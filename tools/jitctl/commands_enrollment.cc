// jitctl commands of the enrollment service: programme, tracks, centres,
// cohorts, applications and enrolment.
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/enums.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace ev1 = jobintech::enrollment::v1;
namespace cv1 = jobintech::common::v1;
namespace cmn = jobintech::common::v1;
namespace pv1 = jobintech::progress::v1;
namespace plv1 = jobintech::placement::v1;
using ES = ev1::EnrollmentService::StubInterface;

// The optional staff note of a transition with a reason code.
const FlagSpec kNote{"reason", "TEXT", FlagKind::kValue,
                     "optional staff note (at most 500 characters; kept in the service's store, "
                     "never published)"};
const char kNoteHelp[] =
    "The reason code is published on the event; the note stays in the service's store\n"
    "(shown to callers in scope, erased by: jitctl candidate erase).";

const FlagSpec kAll{"all", "", FlagKind::kBool, "fetch every page (default: the first page)"};
const FlagSpec kPageSize{"page-size", "N", FlagKind::kValue, "results per page (server default 50, max 500)"};
const FlagSpec kPageToken{"page-token", "TOKEN", FlagKind::kValue, "continue from a previous page"};

template <typename Req>
void SetPage(Input& in, Req& req) {
  if (auto n = in.Int("page-size", 1, 500)) req.mutable_page()->set_page_size(static_cast<int>(*n));
  if (!in.Str("page-token").empty()) req.mutable_page()->set_page_token(in.Str("page-token"));
}

template <typename Resp>
std::string MorePages(const Resp& resp) {
  if (resp.page().next_page_token().empty()) return "";
  return absl::StrCat("(more: --page-token ", resp.page().next_page_token(), ", or --all)\n");
}

std::string AppLine(const ev1::Application& a) {
  std::string line = absl::StrCat("application ", a.application_id(), " (trainee ", a.trainee_id(),
                                  ", cohort ", a.cohort_id(), "): ",
                                  ShortEnumName(ev1::ApplicationStatus_descriptor(), a.status()));
  if (a.waitlist_position() > 0) absl::StrAppend(&line, ", waitlist position ", a.waitlist_position());
  if (a.rejection_reason() != 0) {
    absl::StrAppend(&line, ", reason ",
                    ShortEnumName(cmn::RejectionReason_descriptor(), a.rejection_reason()));
  }
  if (a.decline_reason() != 0) {
    absl::StrAppend(&line, ", reason ",
                    ShortEnumName(cmn::DeclineReason_descriptor(), a.decline_reason()));
  }
  if (a.withdrawal_reason() != 0) {
    absl::StrAppend(&line, ", reason ",
                    ShortEnumName(cmn::WithdrawalReason_descriptor(), a.withdrawal_reason()));
  }
  if (!a.reason().empty()) absl::StrAppend(&line, ", note: ", a.reason());
  return line + "\n";
}

std::string CohortLine(const ev1::Cohort& c) {
  return absl::StrCat("cohort ", c.cohort_id(), " \"", c.name(), "\": track ", c.track_id(), ", ",
                      c.location().province_code(), " (", c.location().region_code(), "), ",
                      ShortEnumName(ev1::CohortStatus_descriptor(), c.status()), ", ",
                      c.seats_held(), "/", c.capacity(), " seats held, ", c.enrolled_count(),
                      " enrolled, ", c.waitlisted_count(), " waitlisted, ",
                      FormatDate(c.start_date()), " to ", FormatDate(c.end_date()), "\n");
}

// ---------------------------------------------------------------- programme

int ProgrammeShow(Context& ctx, const ParsedArgs&) {
  ev1::GetProgrammeResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::GetProgramme, ev1::GetProgrammeRequest(), &resp), resp);
}

int ProgrammeSetTarget(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::UpdateProgrammeRequest req;
  req.set_request_id(ctx.RequestId(args));
  int64_t target = 0;
  if (!absl::SimpleAtoi(args.positional[0], &target) || target < 1 || target > 10'000'000) {
    return ctx.Usage("TARGET must be a whole number between 1 and 10,000,000");
  }
  req.set_national_target(static_cast<int>(target));
  req.set_name(in.Str("name"));
  ev1::UpdateProgrammeResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::UpdateProgramme, req, &resp), resp, nullptr,
                     req.request_id());
}

// ---------------------------------------------------------------- tracks

int TrackList(Context& ctx, const ParsedArgs&) {
  ev1::ListTracksResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::ListTracks, ev1::ListTracksRequest(), &resp), resp, [&] {
    return RepeatedTable(resp, "tracks", {{"TRACK", "track_id"}, {"NAME (FR)", "name_fr"}, {"NAME (AR)", "name_ar"}});
  });
}

int TrackCreate(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::CreateTrackRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.mutable_track()->set_track_id(args.positional[0]);
  req.mutable_track()->set_name_fr(in.Str("name-fr"));
  req.mutable_track()->set_name_ar(in.Str("name-ar"));
  ev1::CreateTrackResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::CreateTrack, req, &resp), resp, [&] {
    return absl::StrCat("track ", resp.track().track_id(), " created\n");
  }, req.request_id());
}

// ---------------------------------------------------------------- centres

int CentreCreate(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::CreateCentreRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_name(in.Str("name"));
  req.set_operator_name(in.Str("operator"));
  req.set_province_code(in.Str("province"));
  ev1::CreateCentreResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::CreateCentre, req, &resp), resp, [&] {
    const auto& c = resp.centre();
    return absl::StrCat("centre ", c.centre_id(), " \"", c.name(), "\" in ", c.location().province_code(),
                        " (", c.location().region_code(), ")\n");
  }, req.request_id());
}

int CentreList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::ListCentresRequest req;
  req.set_region_code(in.Str("region"));
  req.set_province_code(in.Str("province"));
  SetPage(in, req);
  if (!in.ok()) return ctx.Usage(in.problems());
  ev1::ListCentresResponse resp;
  absl::Status st = ListPages<ev1::ListCentresRequest, ev1::ListCentresResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.enrollment().ListCentres(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return RepeatedTable(resp, "centres", {{"CENTRE", "centre_id"}, {"NAME", "name"}, {"OPERATOR", "operator_name"},
                                           {"PROVINCE", "location.province_code"}, {"REGION", "location.region_code"}}) +
           MorePages(resp);
  });
}

int CentreShow(Context& ctx, const ParsedArgs& args) {
  ev1::GetCentreRequest req;
  req.set_centre_id(args.positional[0]);
  ev1::GetCentreResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::GetCentre, req, &resp), resp);
}

// ---------------------------------------------------------------- cohorts

int CohortCreate(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::CreateCohortRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_name(in.Str("name"));
  req.set_track_id(in.Str("track"));
  req.set_centre_id(in.Str("centre"));
  req.set_capacity(static_cast<int>(in.Int("capacity", 1, 100000).value_or(0)));
  *req.mutable_start_date() = in.Date("start");
  *req.mutable_end_date() = in.Date("end");
  req.set_status(in.EnumAs<ev1::CohortStatus>("status", ev1::CohortStatus_descriptor()));
  if (!in.ok()) return ctx.Usage(in.problems());
  ev1::CreateCohortResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::CreateCohort, req, &resp), resp,
                     [&] { return CohortLine(resp.cohort()); }, req.request_id());
}

const std::vector<Column> kCohortColumns = {
    {"COHORT", "cohort_id"}, {"NAME", "name"}, {"TRACK", "track_id"},
    {"REGION", "location.region_code"}, {"PROVINCE", "location.province_code"}, {"STATUS", "status"},
    {"CAPACITY", "capacity"}, {"HELD", "seats_held"}, {"ENROLLED", "enrolled_count"},
    {"WAITLIST", "waitlisted_count"}, {"START", "start_date"}, {"END", "end_date"}};

int CohortList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::ListCohortsRequest req;
  req.set_track_id(in.Str("track"));
  req.set_centre_id(in.Str("centre"));
  req.set_region_code(in.Str("region"));
  req.set_province_code(in.Str("province"));
  req.set_status(in.EnumAs<ev1::CohortStatus>("status", ev1::CohortStatus_descriptor()));
  SetPage(in, req);
  if (!in.ok()) return ctx.Usage(in.problems());
  ev1::ListCohortsResponse resp;
  absl::Status st = ListPages<ev1::ListCohortsRequest, ev1::ListCohortsResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.enrollment().ListCohorts(c, r, o); });
  return ctx.Respond(st, resp, [&] { return RepeatedTable(resp, "cohorts", kCohortColumns) + MorePages(resp); });
}

int CohortShow(Context& ctx, const ParsedArgs& args) {
  ev1::GetCohortRequest req;
  req.set_cohort_id(args.positional[0]);
  ev1::GetCohortResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::GetCohort, req, &resp), resp);
}

int CohortUpdate(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::UpdateCohortRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.positional[0]);
  if (auto cap = in.Int("capacity", 1, 100000)) req.set_capacity(static_cast<int>(*cap));
  req.set_status(in.EnumAs<ev1::CohortStatus>("status", ev1::CohortStatus_descriptor()));
  if (!in.ok()) return ctx.Usage(in.problems());
  if (!args.Has("capacity") && !args.Has("status")) return ctx.Usage("give --capacity and/or --status");
  ev1::UpdateCohortResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::UpdateCohort, req, &resp), resp,
                     [&] { return CohortLine(resp.cohort()); }, req.request_id());
}

// ---------------------------------------------------------------- applications

int ApplicationSubmit(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::SubmitApplicationRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(in.Str("cohort"));
  auto* c = req.mutable_candidate();
  c->set_given_name(in.Str("given-name"));
  c->set_family_name(in.Str("family-name"));
  c->set_national_id(in.Str("national-id"));
  *c->mutable_birth_date() = in.Date("birth-date");
  c->set_phone(in.Str("phone"));
  c->set_email(in.Str("email"));
  req.set_gender(in.EnumAs<cv1::Gender>("gender", cv1::Gender_descriptor()));
  req.set_education_level(in.EnumAs<cv1::EducationLevel>("education", cv1::EducationLevel_descriptor()));
  req.set_residence_province_code(in.Str("residence"));
  if (!in.ok()) return ctx.Usage(in.problems());
  ev1::SubmitApplicationResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::SubmitApplication, req, &resp), resp,
                     [&] { return AppLine(resp.application()); }, req.request_id());
}

int ApplicationList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  ev1::ListApplicationsRequest req;
  req.set_cohort_id(in.Str("cohort"));
  req.set_status(in.EnumAs<ev1::ApplicationStatus>("status", ev1::ApplicationStatus_descriptor()));
  req.set_region_code(in.Str("region"));
  req.set_province_code(in.Str("province"));
  SetPage(in, req);
  if (!in.ok()) return ctx.Usage(in.problems());
  ev1::ListApplicationsResponse resp;
  absl::Status st = ListPages<ev1::ListApplicationsRequest, ev1::ListApplicationsResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.enrollment().ListApplications(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return RepeatedTable(resp, "applications",
                         {{"APPLICATION", "application_id"}, {"TRAINEE", "trainee_id"}, {"COHORT", "cohort_id"},
                          {"STATUS", "status"}, {"GIVEN NAME", "candidate.given_name"},
                          {"FAMILY NAME", "candidate.family_name"}, {"WAITLIST", "waitlist_position"},
                          {"SUBMITTED", "submit_time"}}) +
           MorePages(resp);
  });
}

int ApplicationShow(Context& ctx, const ParsedArgs& args) {
  ev1::GetApplicationRequest req;
  req.set_application_id(args.positional[0]);
  ev1::GetApplicationResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::GetApplication, req, &resp), resp);
}

// The transitions share one shape: (request_id, application_id[, reason
// code and note]).
template <typename Req, typename Resp>
int Transition(Context& ctx, const ParsedArgs& args,
               grpc::Status (ES::*method)(grpc::ClientContext*, const Req&, Resp*)) {
  Input in(args);
  Req req;
  req.set_request_id(ctx.RequestId(args));
  req.set_application_id(args.positional[0]);
  if constexpr (requires { req.set_reason(std::string()); }) {
    using Code = std::decay_t<decltype(req.reason_code())>;
    req.set_reason_code(in.EnumAs<Code>(
        "reason-code", google::protobuf::GetEnumDescriptor<Code>(), false));
    req.set_reason(args.Get("reason"));
  }
  if (!in.ok()) return ctx.Usage(in.problems());
  Resp resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), method, req, &resp), resp,
                     [&] { return AppLine(resp.application()); }, req.request_id());
}

int ApplicationAdmit(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::AdmitApplication); }
int ApplicationWaitlist(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::WaitlistApplication); }
int ApplicationReject(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::RejectApplication); }
int ApplicationEnrol(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::ConfirmEnrolment); }
int ApplicationDecline(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::DeclineAdmission); }
int ApplicationWithdraw(Context& ctx, const ParsedArgs& a) { return Transition(ctx, a, &ES::WithdrawEnrolment); }

int ApplicationAdmitNext(Context& ctx, const ParsedArgs& args) {
  ev1::AdmitFromWaitlistRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_cohort_id(args.Get("cohort"));
  ev1::AdmitFromWaitlistResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::AdmitFromWaitlist, req, &resp), resp,
                     [&] { return AppLine(resp.application()); }, req.request_id());
}

int TraineeLookup(Context& ctx, const ParsedArgs& args) {
  ev1::LookupTraineeRequest req;
  req.set_trainee_id(args.positional[0]);
  req.set_cohort_id(args.Get("cohort"));
  ev1::LookupTraineeResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::LookupTrainee, req, &resp), resp);
}

// Erasure in the three services: the personal data in enrollment, then the
// staff's free-text notes in training progress and placement. Each step is
// safe to repeat, so a failed run is retried whole (same --request-id).
int CandidateErase(Context& ctx, const ParsedArgs& args) {
  const std::string request_id = ctx.RequestId(args);
  const std::string& trainee_id = args.positional[0];
  ev1::EraseCandidateRequest req;
  req.set_request_id(request_id);
  req.set_trainee_id(trainee_id);
  ev1::EraseCandidateResponse resp;
  if (absl::Status s = Unary(ctx, ctx.enrollment(), &ES::EraseCandidate, req, &resp); !s.ok()) {
    return ctx.Fail(s, request_id);
  }
  pv1::EraseTraineeNotesRequest preq;
  preq.set_request_id(request_id);
  preq.set_trainee_id(trainee_id);
  pv1::EraseTraineeNotesResponse presp;
  if (absl::Status s = Unary(ctx, ctx.progress(),
                             &pv1::TrainingProgressService::StubInterface::EraseTraineeNotes, preq,
                             &presp);
      !s.ok()) {
    ctx.err() << "jitctl: the personal data is erased; the notes in training progress are not\n";
    return ctx.Fail(s, request_id);
  }
  plv1::EraseTraineeNotesRequest lreq;
  lreq.set_request_id(request_id);
  lreq.set_trainee_id(trainee_id);
  plv1::EraseTraineeNotesResponse lresp;
  if (absl::Status s = Unary(ctx, ctx.placement(),
                             &plv1::PlacementService::StubInterface::EraseTraineeNotes, lreq, &lresp);
      !s.ok()) {
    ctx.err() << "jitctl: the personal data and training notes are erased; the placement notes "
                 "are not\n";
    return ctx.Fail(s, request_id);
  }
  if (ctx.json()) {
    ctx.out() << "{\"enrollment\":" << ToJson(resp) << ",\"trainingProgress\":" << ToJson(presp)
              << ",\"placement\":" << ToJson(lresp) << "}\n";
  } else {
    ctx.out() << "trainee " << trainee_id << ": personal data erased; notes erased: "
              << presp.notes_erased() << " in training progress, " << lresp.notes_erased()
              << " in placement\n";
  }
  return kExitOk;
}

int CandidateUpdateContact(Context& ctx, const ParsedArgs& args) {
  ev1::UpdateCandidateContactRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_trainee_id(args.positional[0]);
  req.set_phone(args.Get("phone"));
  req.set_email(args.Get("email"));
  ev1::UpdateCandidateContactResponse resp;
  return ctx.Respond(Unary(ctx, ctx.enrollment(), &ES::UpdateCandidateContact, req, &resp), resp,
                     nullptr, req.request_id());
}

}  // namespace

void AddEnrollmentCommands(std::vector<Command>& out) {
  const std::string statuses = EnumChoices(ev1::CohortStatus_descriptor());
  const std::string app_statuses = EnumChoices(ev1::ApplicationStatus_descriptor());
  out.insert(out.end(), {
      {"programme show", "", 0, 0, false, "the programme's name and national target", {}, "", ProgrammeShow},
      {"programme set-target", "TARGET", 1, 1, true, "change the national target of trainees",
       {{"name", "NAME", FlagKind::kValue, "also rename the programme"}}, "", ProgrammeSetTarget},
      {"track list", "", 0, 0, false, "the training tracks", {}, "", TrackList},
      {"track create", "TRACK_ID", 1, 1, true, "add a training track (lower-kebab-case id)",
       {{"name-fr", "NAME", FlagKind::kRequired, "French name"},
        {"name-ar", "NAME", FlagKind::kValue, "Arabic name"}},
       "Example: jitctl track create digital-health --name-fr \"Santé numérique\"", TrackCreate},
      {"centre create", "", 0, 0, true, "register a training centre",
       {{"name", "NAME", FlagKind::kRequired, "centre name"},
        {"operator", "NAME", FlagKind::kRequired, "operator or partner school running it"},
        {"province", "CODE", FlagKind::kRequired, "ISO 3166-2:MA province, e.g. MA-FQH (the region follows)"}},
       "Example: jitctl centre create --name \"Centre Béni Mellal\" --operator OFPPT --province MA-BEM",
       CentreCreate},
      {"centre list", "", 0, 0, false, "list training centres",
       {{"region", "CODE", FlagKind::kValue, "only this region (MA-05)"},
        {"province", "CODE", FlagKind::kValue, "only this province (MA-FQH)"}, kAll, kPageSize, kPageToken},
       "", CentreList},
      {"centre show", "CENTRE_ID", 1, 1, false, "one training centre", {}, "", CentreShow},
      {"cohort create", "", 0, 0, true, "create a cohort (a class of a track at a centre)",
       {{"name", "NAME", FlagKind::kRequired, "cohort name"},
        {"track", "TRACK_ID", FlagKind::kRequired, "training track (see: jitctl track list)"},
        {"centre", "CENTRE_ID", FlagKind::kRequired, "training centre"},
        {"capacity", "N", FlagKind::kRequired, "seats (admitted + enrolled never exceed it)"},
        {"start", "YYYY-MM-DD", FlagKind::kRequired, "first day of training"},
        {"end", "YYYY-MM-DD", FlagKind::kRequired, "last day of training"},
        {"status", "STATUS", FlagKind::kValue, "planned (default) or open to take applications now; one of: " + statuses}},
       "Example: jitctl cohort create --name \"Cyber BM 2026\" --track cybersecurity --centre ctr_... \\\n"
       "           --capacity 30 --start 2026-01-05 --end 2026-06-30 --status open",
       CohortCreate},
      {"cohort list", "", 0, 0, false, "list cohorts with seats held, enrolled and waitlisted",
       {{"track", "TRACK_ID", FlagKind::kValue, "only this track"},
        {"centre", "CENTRE_ID", FlagKind::kValue, "only this centre"},
        {"region", "CODE", FlagKind::kValue, "only this region (MA-05)"},
        {"province", "CODE", FlagKind::kValue, "only this province"},
        {"status", "STATUS", FlagKind::kValue, "only this status: " + statuses}, kAll, kPageSize, kPageToken},
       "", CohortList},
      {"cohort show", "COHORT_ID", 1, 1, false, "one cohort", {}, "", CohortShow},
      {"cohort update", "COHORT_ID", 1, 1, true, "change a cohort's capacity or move its status forward",
       {{"capacity", "N", FlagKind::kValue, "new capacity (not below the seats held)"},
        {"status", "STATUS", FlagKind::kValue, "new status, forward only: planned -> open -> running -> closed"}},
       "", CohortUpdate},
      {"application submit", "", 0, 0, true, "submit a candidate's application to an open cohort",
       {{"cohort", "COHORT_ID", FlagKind::kRequired, "the cohort applied to"},
        {"given-name", "NAME", FlagKind::kRequired, "first name"},
        {"family-name", "NAME", FlagKind::kRequired, "last name"},
        {"national-id", "CIN", FlagKind::kRequired, "national identity card number (1-2 letters, 1-6 digits)"},
        {"birth-date", "YYYY-MM-DD", FlagKind::kRequired, "date of birth (eligible: 18-35)"},
        {"phone", "PHONE", FlagKind::kRequired, "06XXXXXXXX or +2126XXXXXXXX"},
        {"email", "EMAIL", FlagKind::kValue, "e-mail address"},
        {"gender", "GENDER", FlagKind::kValue, "female or male"},
        {"education", "LEVEL", FlagKind::kValue, "one of: " + EnumChoices(cv1::EducationLevel_descriptor())},
        {"residence", "CODE", FlagKind::kValue, "province of residence, e.g. MA-FQH"}},
       "", ApplicationSubmit},
      {"application list", "", 0, 0, false, "list applications",
       {{"cohort", "COHORT_ID", FlagKind::kValue, "only this cohort"},
        {"status", "STATUS", FlagKind::kValue, "only this status: " + app_statuses},
        {"region", "CODE", FlagKind::kValue, "only cohorts of this region"},
        {"province", "CODE", FlagKind::kValue, "only cohorts of this province"}, kAll, kPageSize, kPageToken},
       "", ApplicationList},
      {"application show", "APPLICATION_ID", 1, 1, false, "one application with the candidate", {}, "", ApplicationShow},
      {"application admit", "APPLICATION_ID", 1, 1, true, "admit (holds a seat; waitlisted if the cohort is full)",
       {}, "", ApplicationAdmit},
      {"application waitlist", "APPLICATION_ID", 1, 1, true, "put an applied application on the waitlist", {}, "",
       ApplicationWaitlist},
      {"application reject", "APPLICATION_ID", 1, 1, true, "reject an applied or waitlisted application",
       {{"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(cmn::RejectionReason_descriptor())},
        kNote},
       kNoteHelp, ApplicationReject},
      {"application enrol", "APPLICATION_ID", 1, 1, true, "confirm the enrolment of an admitted candidate", {},
       "Same as: jitctl application confirm", ApplicationEnrol},
      {"application confirm", "APPLICATION_ID", 1, 1, true, "same as application enrol", {}, "", ApplicationEnrol},
      {"application decline", "APPLICATION_ID", 1, 1, true, "the candidate declines the admission (frees the seat)",
       {{"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(cmn::DeclineReason_descriptor())},
        kNote},
       kNoteHelp, ApplicationDecline},
      {"application withdraw", "APPLICATION_ID", 1, 1, true, "withdraw an enrolled trainee (frees the seat)",
       {{"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(cmn::WithdrawalReason_descriptor())},
        kNote},
       kNoteHelp, ApplicationWithdraw},
      {"application admit-next", "", 0, 0, true, "admit the first waitlisted application of a cohort",
       {{"cohort", "COHORT_ID", FlagKind::kRequired, "the cohort"}}, "", ApplicationAdmitNext},
      {"trainee lookup", "TRAINEE_ID", 1, 1, false, "a trainee's enrolment without personal data",
       {{"cohort", "COHORT_ID", FlagKind::kValue, "check the trainee applied to this cohort"}}, "", TraineeLookup},
      {"candidate erase", "TRAINEE_ID", 1, 1, true,
       "erase a candidate's personal data and staff notes (law 09-08)", {},
       "Erases the personal data (enrollment), then the staff's free-text notes (training\n"
       "progress, placement). The pseudonymous history and the reason codes stay; the erasure\n"
       "cannot be undone. Safe to repeat with the same --request-id if a step failed.",
       CandidateErase},
      {"candidate update-contact", "TRAINEE_ID", 1, 1, true,
       "change a candidate's phone and e-mail (an application never changes them)",
       {{"phone", "PHONE", FlagKind::kRequired, "06XXXXXXXX or +2126XXXXXXXX"},
        {"email", "EMAIL", FlagKind::kRequired, "e-mail address"}},
       "In the scope of one of the candidate's applications.", CandidateUpdateContact},
  });
}

}  // namespace jit::jitctl
