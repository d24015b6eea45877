// jitctl commands of the placement service: employers, job offers, job
// search, placements and follow-ups.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "jobintech/events/v1/placement_events.pb.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace plv1 = jobintech::placement::v1;
namespace evt = jobintech::events::v1;
using PL = plv1::PlacementService::StubInterface;

const FlagSpec kAll{"all", "", FlagKind::kBool, "fetch every page (default: the first page)"};
const FlagSpec kPageSize{"page-size", "N", FlagKind::kValue, "results per page (server default 50, max 500)"};

template <typename Req>
bool SetPage(Context& ctx, Input& in, Req& req) {
  if (auto n = in.Int("page-size", 1, 500)) req.mutable_page()->set_page_size(static_cast<int>(*n));
  return in.ok();
}

std::string TraineeLine(const plv1::TraineePlacement& t) {
  std::string line = absl::StrCat("trainee ", t.trainee_id(), ": ",
                                  ShortEnumName(evt::PlacementState_descriptor(), t.state()));
  if (t.has_exit()) {
    absl::StrAppend(&line, ", exit ", ShortEnumName(evt::ExitKind_descriptor(), t.exit().kind()), " on ",
                    FormatDate(t.exit().exit_date()));
  }
  if (!t.current_placement_id().empty()) absl::StrAppend(&line, ", placement ", t.current_placement_id());
  return line + "\n";
}

std::string PlacementLine(const plv1::Placement& p) {
  std::string line = absl::StrCat("placement ", p.placement_id(), " of trainee ", p.trainee_id(), ": ",
                                  ShortEnumName(evt::PlacementType_descriptor(), p.type()));
  if (!p.employer_id().empty()) absl::StrAppend(&line, " at ", p.employer_id());
  absl::StrAppend(&line, " from ", FormatDate(p.start_date()), ", verified by ",
                  ShortEnumName(evt::VerificationSource_descriptor(), p.verification()));
  if (p.ended()) {
    absl::StrAppend(&line, ", ended ", FormatDate(p.end_date()), " (",
                    ShortEnumName(jobintech::common::v1::PlacementEndReason_descriptor(),
                                  p.end_reason_code()),
                    ")");
    if (!p.end_reason().empty()) absl::StrAppend(&line, ", note: ", p.end_reason());
  }
  return line + "\n";
}

int EmployerRegister(Context& ctx, const ParsedArgs& args) {
  plv1::RegisterEmployerRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_name(args.Get("name"));
  req.set_ice(args.Get("ice"));
  req.set_sector(args.Get("sector"));
  req.set_province_code(args.Get("province"));
  req.set_partner(args.Bool("partner"));
  plv1::RegisterEmployerResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::RegisterEmployer, req, &resp), resp, [&] {
    const auto& e = resp.employer();
    return absl::StrCat("employer ", e.employer_id(), " \"", e.name(), "\" (ICE ", e.ice(), ", ", e.sector(), ", ",
                        e.location().province_code(), ")", e.partner() ? ", partner" : "", "\n");
  }, req.request_id());
}

int EmployerList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::ListEmployersRequest req;
  req.set_sector(args.Get("sector"));
  req.set_region_code(args.Get("region"));
  req.set_province_code(args.Get("province"));
  if (args.Has("partner")) req.set_partner(args.Bool("partner"));
  if (!SetPage(ctx, in, req)) return ctx.Usage(in.problems());
  plv1::ListEmployersResponse resp;
  absl::Status st = ListPages<plv1::ListEmployersRequest, plv1::ListEmployersResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.placement().ListEmployers(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return RepeatedTable(resp, "employers",
                         {{"EMPLOYER", "employer_id"}, {"NAME", "name"}, {"ICE", "ice"}, {"SECTOR", "sector"},
                          {"PROVINCE", "location.province_code"}, {"REGION", "location.region_code"},
                          {"PARTNER", "partner"}});
  });
}

int EmployerShow(Context& ctx, const ParsedArgs& args) {
  plv1::GetEmployerRequest req;
  req.set_employer_id(args.positional[0]);
  plv1::GetEmployerResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::GetEmployer, req, &resp), resp);
}

int EmployerPartner(Context& ctx, const ParsedArgs& args) {
  plv1::SetEmployerPartnerRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_employer_id(args.positional[0]);
  req.set_partner(!args.Bool("off"));
  plv1::SetEmployerPartnerResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::SetEmployerPartner, req, &resp), resp, nullptr,
                     req.request_id());
}

int OfferPost(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::PostJobOfferRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_employer_id(args.Get("employer"));
  req.set_title(args.Get("title"));
  req.set_track_id(args.Get("track"));
  req.set_province_code(args.Get("province"));
  req.set_contract_type(in.EnumAs<evt::PlacementType>("contract", evt::PlacementType_descriptor()));
  req.set_salary_band(in.EnumAs<evt::SalaryBand>("salary", evt::SalaryBand_descriptor()));
  req.set_openings(static_cast<int>(in.Int("openings", 1, 10000).value_or(1)));
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::PostJobOfferResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::PostJobOffer, req, &resp), resp, [&] {
    const auto& o = resp.job_offer();
    return absl::StrCat("job offer ", o.job_offer_id(), " \"", o.title(), "\": ", o.openings(), " opening(s), ",
                        ShortEnumName(evt::PlacementType_descriptor(), o.contract_type()), ", track ",
                        o.track_id(), ", ", o.location().province_code(), "\n");
  }, req.request_id());
}

int OfferList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::ListJobOffersRequest req;
  req.set_track_id(args.Get("track"));
  req.set_region_code(args.Get("region"));
  req.set_province_code(args.Get("province"));
  req.set_employer_id(args.Get("employer"));
  if (args.Bool("open")) req.set_open(true);
  if (args.Bool("closed")) req.set_open(false);
  if (!SetPage(ctx, in, req)) return ctx.Usage(in.problems());
  plv1::ListJobOffersResponse resp;
  absl::Status st = ListPages<plv1::ListJobOffersRequest, plv1::ListJobOffersResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.placement().ListJobOffers(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return RepeatedTable(resp, "job_offers",
                         {{"OFFER", "job_offer_id"}, {"EMPLOYER", "employer_id"}, {"TITLE", "title"},
                          {"TRACK", "track_id"}, {"PROVINCE", "location.province_code"},
                          {"CONTRACT", "contract_type"}, {"SALARY", "salary_band"}, {"OPENINGS", "openings"},
                          {"OPEN", "open"}});
  });
}

int OfferClose(Context& ctx, const ParsedArgs& args) {
  plv1::CloseJobOfferRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_job_offer_id(args.positional[0]);
  plv1::CloseJobOfferResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::CloseJobOffer, req, &resp), resp, nullptr, req.request_id());
}

int OfferRecord(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::RecordOfferRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_trainee_id(args.Get("trainee"));
  req.set_job_offer_id(args.Get("job-offer"));
  req.set_employer_id(args.Get("employer"));
  *req.mutable_offered_on() = in.Date("date");
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::RecordOfferResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::RecordOffer, req, &resp), resp, [&] {
    return absl::StrCat("offer ", resp.offer().offer_id(), " recorded\n", TraineeLine(resp.trainee()));
  }, req.request_id());
}

int JobSearchStart(Context& ctx, const ParsedArgs& args) {
  plv1::StartJobSearchRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_trainee_id(args.positional[0]);
  plv1::StartJobSearchResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::StartJobSearch, req, &resp), resp,
                     [&] { return TraineeLine(resp.trainee()); }, req.request_id());
}

int PlacementRecord(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::RecordPlacementRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_trainee_id(args.Get("trainee"));
  req.set_type(in.EnumAs<evt::PlacementType>("type", evt::PlacementType_descriptor(), false));
  req.set_employer_id(args.Get("employer"));
  req.set_job_offer_id(args.Get("job-offer"));
  *req.mutable_start_date() = in.Date("start");
  req.set_salary_band(in.EnumAs<evt::SalaryBand>("salary", evt::SalaryBand_descriptor()));
  req.set_verification(args.Has("verification")
                           ? in.EnumAs<evt::VerificationSource>("verification", evt::VerificationSource_descriptor())
                           : evt::VERIFICATION_SOURCE_SELF_REPORT);
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::RecordPlacementResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::RecordPlacement, req, &resp), resp,
                     [&] { return PlacementLine(resp.placement()); }, req.request_id());
}

int PlacementVerify(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::VerifyPlacementRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_placement_id(args.positional[0]);
  req.set_verification(in.EnumAs<evt::VerificationSource>("verification", evt::VerificationSource_descriptor(), false));
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::VerifyPlacementResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::VerifyPlacement, req, &resp), resp,
                     [&] { return PlacementLine(resp.placement()); }, req.request_id());
}

int PlacementEnd(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::EndPlacementRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_placement_id(args.positional[0]);
  req.set_reason_code(in.EnumAs<jobintech::common::v1::PlacementEndReason>(
      "reason-code", jobintech::common::v1::PlacementEndReason_descriptor(), false));
  req.set_reason(args.Get("reason"));
  *req.mutable_end_date() = in.Date("date");
  if (!args.Has("date")) req.clear_end_date();
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::EndPlacementResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::EndPlacement, req, &resp), resp,
                     [&] { return PlacementLine(resp.placement()); }, req.request_id());
}

int PlacementShow(Context& ctx, const ParsedArgs& args) {
  plv1::GetPlacementRequest req;
  req.set_placement_id(args.positional[0]);
  plv1::GetPlacementResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::GetPlacement, req, &resp), resp);
}

int PlacementList(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::ListPlacementsRequest req;
  req.set_employer_id(args.Get("employer"));
  if (args.Bool("active")) req.set_active(true);
  if (args.Bool("ended")) req.set_active(false);
  if (args.Bool("verified")) req.set_verified(true);
  if (args.Bool("self-reported")) req.set_verified(false);
  if (!SetPage(ctx, in, req)) return ctx.Usage(in.problems());
  plv1::ListPlacementsResponse resp;
  absl::Status st = ListPages<plv1::ListPlacementsRequest, plv1::ListPlacementsResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.placement().ListPlacements(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    return RepeatedTable(resp, "placements",
                         {{"PLACEMENT", "placement_id"}, {"TRAINEE", "trainee_id"}, {"TYPE", "type"},
                          {"EMPLOYER", "employer_id"}, {"START", "start_date"}, {"SALARY", "salary_band"},
                          {"VERIFIED BY", "verification"}, {"ENDED", "ended"}});
  });
}

int PlacementTrainee(Context& ctx, const ParsedArgs& args) {
  plv1::GetTraineePlacementRequest req;
  req.set_trainee_id(args.positional[0]);
  plv1::GetTraineePlacementResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::GetTraineePlacement, req, &resp), resp, [&] {
    std::string out = TraineeLine(resp.trainee());
    for (const auto& p : resp.placements()) out += PlacementLine(p);
    out += "follow-ups:\n";
    out += RepeatedTable(resp, "follow_ups",
                         {{"MONTHS", "months_after_exit"}, {"DUE", "due_date"}, {"RECORDED", "recorded"},
                          {"OUTCOME", "outcome"}, {"ON", "recorded_on"}});
    return out;
  });
}

int FollowUpsDue(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::ListDueFollowUpsRequest req;
  req.set_region_code(args.Get("region"));
  if (!SetPage(ctx, in, req)) return ctx.Usage(in.problems());
  plv1::ListDueFollowUpsResponse resp;
  absl::Status st = ListPages<plv1::ListDueFollowUpsRequest, plv1::ListDueFollowUpsResponse>(
      ctx.policy(), req, args.Bool("all"), &resp,
      [&](grpc::ClientContext* c, const auto& r, auto* o) { return ctx.placement().ListDueFollowUps(c, r, o); });
  return ctx.Respond(st, resp, [&] {
    if (resp.follow_ups_size() == 0) return std::string("no follow-up is due\n");
    return RepeatedTable(resp, "follow_ups",
                         {{"TRAINEE", "follow_up.trainee_id"}, {"MONTHS", "follow_up.months_after_exit"},
                          {"DUE", "follow_up.due_date"}, {"STATE", "trainee.state"},
                          {"REGION", "trainee.dimensions.training_location.region_code"},
                          {"TRACK", "trainee.dimensions.track_id"}, {"PLACEMENT", "follow_up.placement_id"}});
  });
}

int FollowUpRecord(Context& ctx, const ParsedArgs& args) {
  Input in(args);
  plv1::RecordFollowUpRequest req;
  req.set_request_id(ctx.RequestId(args));
  req.set_trainee_id(args.Get("trainee"));
  req.set_months_after_exit(static_cast<int>(in.Int("months", 3, 12).value_or(0)));
  req.set_outcome(in.EnumAs<evt::FollowUpOutcome>("outcome", evt::FollowUpOutcome_descriptor(), false));
  req.set_employer_id(args.Get("employer"));
  if (!in.ok()) return ctx.Usage(in.problems());
  plv1::RecordFollowUpResponse resp;
  return ctx.Respond(Unary(ctx, ctx.placement(), &PL::RecordFollowUp, req, &resp), resp, [&] {
    return absl::StrCat("follow-up at +", resp.follow_up().months_after_exit(), " months recorded: ",
                        ShortEnumName(evt::FollowUpOutcome_descriptor(), resp.follow_up().outcome()), "\n");
  }, req.request_id());
}

}  // namespace

void AddPlacementCommands(std::vector<Command>& out) {
  const std::string types = EnumChoices(evt::PlacementType_descriptor());
  const std::string bands = EnumChoices(evt::SalaryBand_descriptor());
  const std::string sources = EnumChoices(evt::VerificationSource_descriptor());
  out.insert(out.end(), {
      {"employer register", "", 0, 0, true, "register an employer",
       {{"name", "NAME", FlagKind::kRequired, "company name"},
        {"ice", "ICE", FlagKind::kRequired, "Identifiant Commun de l'Entreprise, 15 digits"},
        {"sector", "SECTOR", FlagKind::kRequired, "lower-kebab-case sector, e.g. it-services, banking, offshoring"},
        {"province", "CODE", FlagKind::kRequired, "ISO 3166-2:MA province, e.g. MA-CAS"},
        {"partner", "", FlagKind::kBool, "a partner employer (helps design curricula, recruits)"}},
       "", EmployerRegister},
      {"employer list", "", 0, 0, false, "list employers",
       {{"sector", "SECTOR", FlagKind::kValue, "only this sector"},
        {"region", "CODE", FlagKind::kValue, "only this region"},
        {"province", "CODE", FlagKind::kValue, "only this province"},
        {"partner", "", FlagKind::kBool, "only partners (--partner=false: only non-partners)"}, kAll, kPageSize},
       "", EmployerList},
      {"employer show", "EMPLOYER_ID", 1, 1, false, "one employer", {}, "", EmployerShow},
      {"employer partner", "EMPLOYER_ID", 1, 1, true, "flag an employer as partner (--off to unflag)",
       {{"off", "", FlagKind::kBool, "unflag"}}, "", EmployerPartner},
      {"offer post", "", 0, 0, true, "post a job offer of an employer",
       {{"employer", "EMPLOYER_ID", FlagKind::kRequired, "the employer"},
        {"title", "TEXT", FlagKind::kRequired, "job title"},
        {"track", "TRACK_ID", FlagKind::kRequired, "the track it recruits from"},
        {"province", "CODE", FlagKind::kValue, "where the job is (default: the employer's province)"},
        {"contract", "TYPE", FlagKind::kRequired, "salaried-permanent (CDI), salaried-fixed-term (CDD) or internship"},
        {"salary", "BAND", FlagKind::kValue, "one of: " + bands},
        {"openings", "N", FlagKind::kValue, "positions offered (default 1)"}},
       "", OfferPost},
      {"offer list", "", 0, 0, false, "list job offers",
       {{"track", "TRACK_ID", FlagKind::kValue, "only this track"},
        {"region", "CODE", FlagKind::kValue, "only this region"},
        {"province", "CODE", FlagKind::kValue, "only this province"},
        {"employer", "EMPLOYER_ID", FlagKind::kValue, "only this employer"},
        {"open", "", FlagKind::kBool, "only open offers"}, {"closed", "", FlagKind::kBool, "only closed offers"},
        kAll, kPageSize},
       "", OfferList},
      {"offer close", "JOB_OFFER_ID", 1, 1, true, "close a job offer", {}, "", OfferClose},
      {"offer record", "", 0, 0, true, "record an offer a trainee received (starts the job search if needed)",
       {{"trainee", "TRAINEE_ID", FlagKind::kRequired, "the trainee"},
        {"job-offer", "JOB_OFFER_ID", FlagKind::kValue, "the job offer posted here it answers"},
        {"employer", "EMPLOYER_ID", FlagKind::kValue, "the employer (required without --job-offer)"},
        {"date", "YYYY-MM-DD", FlagKind::kRequired, "when (not before the exit, not in the future)"}},
       "", OfferRecord},
      {"jobsearch start", "TRAINEE_ID", 1, 1, true, "start the job search of a trainee who left training", {}, "",
       JobSearchStart},
      {"placement record", "", 0, 0, true, "record a placement of a trainee after exit",
       {{"trainee", "TRAINEE_ID", FlagKind::kRequired, "the trainee"},
        {"type", "TYPE", FlagKind::kRequired, "one of: " + types},
        {"employer", "EMPLOYER_ID", FlagKind::kValue, "required for salaried jobs and internships"},
        {"job-offer", "JOB_OFFER_ID", FlagKind::kValue, "the job offer filled"},
        {"start", "YYYY-MM-DD", FlagKind::kRequired, "start date (not before the exit, not in the future)"},
        {"salary", "BAND", FlagKind::kValue, "one of: " + bands + " (not for further study)"},
        {"verification", "SOURCE", FlagKind::kValue, "who says so: " + sources + " (default self-report)"}},
       "Example: jitctl placement record --trainee trn_... --type permanent --employer emp_... \\\n"
       "           --start 2026-03-01 --salary 5000-7999 --verification employer",
       PlacementRecord},
      {"placement verify", "PLACEMENT_ID", 1, 1, true, "verify a placement (employer or social security)",
       {{"verification", "SOURCE", FlagKind::kRequired, "employer or social-security (CNSS)"}}, "", PlacementVerify},
      {"placement end", "PLACEMENT_ID", 1, 1, true, "end the active placement (the trainee looks again)",
       {{"reason-code", "CODE", FlagKind::kRequired,
         "why: " + EnumChoices(jobintech::common::v1::PlacementEndReason_descriptor())},
        {"reason", "TEXT", FlagKind::kValue,
         "optional staff note (at most 500 characters; kept in the placement store, never "
         "published)"},
        {"date", "YYYY-MM-DD", FlagKind::kValue, "end date (default: today)"}},
       "The reason code is published on the event; the note stays in the placement store\n"
       "(shown to callers in scope, erased by: jitctl candidate erase).",
       PlacementEnd},
      {"placement show", "PLACEMENT_ID", 1, 1, false, "one placement", {}, "", PlacementShow},
      {"placement list", "", 0, 0, false, "list placements",
       {{"employer", "EMPLOYER_ID", FlagKind::kValue, "only this employer"},
        {"active", "", FlagKind::kBool, "only active placements"}, {"ended", "", FlagKind::kBool, "only ended ones"},
        {"verified", "", FlagKind::kBool, "only verified ones"},
        {"self-reported", "", FlagKind::kBool, "only self-reported ones"}, kAll, kPageSize},
       "", PlacementList},
      {"placement trainee", "TRAINEE_ID", 1, 1, false, "a trainee's placement record: state, placements, follow-ups",
       {}, "", PlacementTrainee},
      {"followups due", "", 0, 0, false, "the follow-ups due today and not yet recorded (oldest first)",
       {{"region", "CODE", FlagKind::kValue, "only trainees trained in this region"}, kAll, kPageSize}, "",
       FollowUpsDue},
      {"followup record", "", 0, 0, true, "record a follow-up at +3, +6 or +12 months after exit",
       {{"trainee", "TRAINEE_ID", FlagKind::kRequired, "the trainee"},
        {"months", "3|6|12", FlagKind::kRequired, "months after exit"},
        {"outcome", "OUTCOME", FlagKind::kRequired, "one of: " + EnumChoices(evt::FollowUpOutcome_descriptor())},
        {"employer", "EMPLOYER_ID", FlagKind::kValue, "the new employer (employed-other-employer only)"}},
       "", FollowUpRecord},
  });
}

}  // namespace jit::jitctl
