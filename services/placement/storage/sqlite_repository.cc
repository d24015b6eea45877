#include "services/placement/storage/sqlite_repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/keyset_query.h"
#include "libs/storage/repository_shell.h"
#include "libs/storage/rows.h"
#include "libs/storage/statement.h"
#include "services/placement/storage/rows.h"
#include "services/placement/storage/schema.h"

namespace jit::placement {
namespace {

using EventEncoder = outbox::EventEncoder<DomainEvent>;

namespace ev = ::jobintech::events::v1;
using rows::BindEmployer;
using rows::BindFollowUp;
using rows::BindJobOffer;
using rows::BindOffer;
using rows::BindPlacement;
using rows::BindTrainee;
using rows::kEmployerColumns;
using rows::kFollowUpColumns;
using rows::kJobOfferColumns;
using rows::kOfferColumns;
using rows::kPlacementColumns;
using rows::kTraineeColumns;
using rows::ReadEmployer;
using rows::ReadFollowUp;
using rows::ReadJobOffer;
using rows::ReadOffer;
using rows::ReadPlacement;
using rows::ReadTrainee;
using storage::Placeholders;
using storage::Statement;
using storage::Tx;

// For employers: the primary key or the ICE.
absl::Status MapEmployerError(absl::Status s, const Employer& e) {
  return storage::MapInsertError(
      std::move(s), "employer", e.employer_id,
      absl::StrCat("an employer with ICE ", e.ice, " already exists"));
}

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final
    : public storage::SqliteRequestStore<PlacementStore, &SnapshotToJson,
                                         &SnapshotFromJson> {
 public:
  SqliteStore(Tx& tx, bool writable, const Clock* clock,
              const EventEncoder* encoder)
      : SqliteRequestStore(tx, writable), clock_(clock), encoder_(encoder) {}

  // Employers.
  absl::StatusOr<std::optional<Employer>> FindEmployer(
      const std::string& employer_id) override {
    return FindOne<Employer>(kEmployerColumns, "employers", "employer_id",
                             employer_id, ReadEmployer);
  }
  absl::StatusOr<std::optional<Employer>> FindEmployerByIce(
      const std::string& ice) override {
    return FindOne<Employer>(kEmployerColumns, "employers", "ice", ice,
                             ReadEmployer);
  }
  absl::Status InsertEmployer(const Employer& employer) override {
    RETURN_IF_ERROR(CheckWritable("InsertEmployer"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO employers (", kEmployerColumns,
                                 ") VALUES (", Placeholders(10), ")")));
    RETURN_IF_ERROR(BindEmployer(st, employer));
    return MapEmployerError(st.Run(), employer);
  }
  absl::Status UpdateEmployer(const Employer& employer) override {
    RETURN_IF_ERROR(CheckWritable("UpdateEmployer"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE employers SET name = ?2, ice = ?3, sector = ?4, "
                    "province_code = ?5, region_code = ?6, partner = ?7, "
                    "event_sequence = ?8, create_time = ?9, update_time = ?10 "
                    "WHERE employer_id = ?1"));
    RETURN_IF_ERROR(BindEmployer(st, employer));
    RETURN_IF_ERROR(MapEmployerError(st.Run(), employer));
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("employer", employer.employer_id);
    return absl::OkStatus();
  }
  absl::StatusOr<Page<Employer>> ListEmployers(const EmployerFilter& filter,
                                               const PageQuery& page) override {
    storage::KeysetQuery q(kEmployerColumns, "employers", "employer_id",
                           page.after_key, page.limit);
    q.Equal("sector", filter.sector);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.partner.has_value()) q.EqualInt("partner", *filter.partner);
    return q.Run<Page<Employer>>(
        tx_, ReadEmployer, [](const Employer& e) { return e.employer_id; });
  }

  // Job offers.
  absl::StatusOr<std::optional<JobOffer>> FindJobOffer(
      const std::string& job_offer_id) override {
    return FindOne<JobOffer>(kJobOfferColumns, "job_offers", "job_offer_id",
                             job_offer_id, ReadJobOffer);
  }
  absl::Status InsertJobOffer(const JobOffer& offer) override {
    RETURN_IF_ERROR(CheckWritable("InsertJobOffer"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO job_offers (", kJobOfferColumns,
                                 ") VALUES (", Placeholders(14), ")")));
    RETURN_IF_ERROR(BindJobOffer(st, offer));
    return storage::MapInsertError(st.Run(), "job offer", offer.job_offer_id);
  }
  absl::Status UpdateJobOffer(const JobOffer& offer) override {
    RETURN_IF_ERROR(CheckWritable("UpdateJobOffer"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE job_offers SET employer_id = ?2, title = ?3, "
                    "track_id = ?4, province_code = ?5, region_code = ?6, "
                    "contract_type = ?7, salary_band = ?8, openings = ?9, "
                    "open = ?10, event_sequence = ?11, create_time = ?12, "
                    "update_time = ?13, close_time = ?14 "
                    "WHERE job_offer_id = ?1"));
    RETURN_IF_ERROR(BindJobOffer(st, offer));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("job offer", offer.job_offer_id);
    return absl::OkStatus();
  }
  absl::StatusOr<Page<JobOffer>> ListJobOffers(const JobOfferFilter& filter,
                                               const PageQuery& page) override {
    storage::KeysetQuery q(kJobOfferColumns, "job_offers", "job_offer_id",
                           page.after_key, page.limit);
    q.Equal("employer_id", filter.employer_id);
    q.Equal("track_id", filter.track_id);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.open.has_value()) q.EqualInt("open", *filter.open);
    return q.Run<Page<JobOffer>>(
        tx_, ReadJobOffer, [](const JobOffer& o) { return o.job_offer_id; });
  }

  // Trainees.
  absl::StatusOr<std::optional<Trainee>> FindTrainee(
      const std::string& trainee_id) override {
    return FindOne<Trainee>(kTraineeColumns, "trainees", "trainee_id",
                            trainee_id, ReadTrainee);
  }
  absl::Status InsertTrainee(const Trainee& trainee) override {
    RETURN_IF_ERROR(CheckWritable("InsertTrainee"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO trainees (", kTraineeColumns,
                                 ") VALUES (", Placeholders(20), ")")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    return storage::MapInsertError(st.Run(), "trainee", trainee.trainee_id);
  }
  absl::Status UpdateTrainee(const Trainee& trainee) override {
    RETURN_IF_ERROR(CheckWritable("UpdateTrainee"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(
            "UPDATE trainees SET state = ?2, exit_kind = ?3, exit_date = ?4, "
            "exit_cohort_id = ?5, gender = ?6, age_band = ?7, "
            "education_level = ?8, residence_province_code = ?9, "
            "residence_region_code = ?10, training_province_code = ?11, "
            "training_region_code = ?12, track_id = ?13, cohort_id = ?14, "
            "centre_id = ?15, current_placement_id = ?16, "
            "first_placement_date = ?17, event_sequence = ?18, "
            "create_time = ?19, update_time = ?20 WHERE trainee_id = ?1"));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("trainee", trainee.trainee_id);
    return absl::OkStatus();
  }

  // Offers.
  absl::Status InsertOffer(const Offer& o) override {
    RETURN_IF_ERROR(CheckWritable("InsertOffer"));
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "INSERT INTO offers (", kOfferColumns,
                                       ") VALUES (", Placeholders(6), ")")));
    RETURN_IF_ERROR(BindOffer(st, o));
    return storage::MapInsertError(st.Run(), "offer", o.offer_id);
  }
  absl::StatusOr<std::vector<Offer>> OffersOfTrainee(
      const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    return ListOf<Offer>(absl::StrCat("SELECT ", kOfferColumns,
                                      " FROM offers WHERE trainee_id = ?1 "
                                      "ORDER BY rowid"),
                         trainee_id, ReadOffer);
  }

  // Placements.
  absl::StatusOr<std::optional<Placement>> FindPlacement(
      const std::string& placement_id) override {
    return FindOne<Placement>(kPlacementColumns, "placements", "placement_id",
                              placement_id, ReadPlacement);
  }
  absl::Status InsertPlacement(const Placement& p) override {
    RETURN_IF_ERROR(CheckWritable("InsertPlacement"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO placements (", kPlacementColumns,
                                 ") VALUES (", Placeholders(14), ")")));
    RETURN_IF_ERROR(BindPlacement(st, p));
    return storage::MapInsertError(st.Run(), "placement", p.placement_id);
  }
  absl::Status UpdatePlacement(const Placement& p) override {
    RETURN_IF_ERROR(CheckWritable("UpdatePlacement"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE placements SET trainee_id = ?2, type = ?3, "
                    "employer_id = ?4, job_offer_id = ?5, start_date = ?6, "
                    "salary_band = ?7, verification = ?8, verify_time = ?9, "
                    "end_date = ?10, end_reason = ?11, create_time = ?12, "
                    "update_time = ?13, end_reason_code = ?14 "
                    "WHERE placement_id = ?1"));
    RETURN_IF_ERROR(BindPlacement(st, p));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0)
      return storage::RowNotFoundError("placement", p.placement_id);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Placement>> PlacementsOfTrainee(
      const std::string& trainee_id) override {
    return ListOf<Placement>(absl::StrCat("SELECT ", kPlacementColumns,
                                          " FROM placements WHERE "
                                          "trainee_id = ?1 ORDER BY rowid"),
                             trainee_id, ReadPlacement);
  }
  // Answers are JSON: the trainee id appears quoted.
  absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) override {
    return StoredRequestsContaining(absl::StrCat("\"", trainee_id, "\""));
  }
  absl::Status ReplaceStoredResponse(
      const std::string& request_id,
      const ResponseSnapshot& response) override {
    return SqliteRequestStore::ReplaceStoredResponse(request_id, response);
  }
  absl::StatusOr<Page<Placement>> ListPlacements(
      const PlacementFilter& filter, const PageQuery& page) override {
    storage::KeysetQuery q(kPlacementColumns, "placements", "placement_id",
                           page.after_key, page.limit);
    q.Equal("employer_id", filter.employer_id);
    if (filter.active.has_value()) {
      q.Condition(*filter.active ? "end_date IS NULL" : "end_date IS NOT NULL");
    }
    if (filter.verified.has_value()) {
      const std::string verified = absl::StrCat(
          "verification IN (",
          static_cast<int>(ev::VERIFICATION_SOURCE_EMPLOYER), ", ",
          static_cast<int>(ev::VERIFICATION_SOURCE_SOCIAL_SECURITY), ")");
      q.Condition(*filter.verified ? verified : absl::StrCat("NOT ", verified));
    }
    return q.Run<Page<Placement>>(
        tx_, ReadPlacement, [](const Placement& p) { return p.placement_id; });
  }

  // Follow-ups.
  absl::StatusOr<std::optional<FollowUp>> FindFollowUp(
      const std::string& trainee_id, int32_t months) override {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", kFollowUpColumns,
                                       " FROM follow_ups WHERE "
                                       "trainee_id = ?1 AND months = ?2")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    RETURN_IF_ERROR(st.BindInt64(2, months));
    return storage::OptionalRow<FollowUp>(st, ReadFollowUp);
  }
  absl::Status InsertFollowUp(const FollowUp& f) override {
    RETURN_IF_ERROR(CheckWritable("InsertFollowUp"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO follow_ups (", kFollowUpColumns,
                                 ") VALUES (", Placeholders(9), ")")));
    RETURN_IF_ERROR(BindFollowUp(st, f));
    return storage::MapInsertError(
        st.Run(), "follow-up",
        absl::StrCat(f.trainee_id, "/+", f.months, " months"));
  }
  absl::Status UpdateFollowUp(const FollowUp& f) override {
    RETURN_IF_ERROR(CheckWritable("UpdateFollowUp"));
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE follow_ups SET due_date = ?3, due_key = ?4, "
                    "outcome = ?5, placement_id = ?6, employer_id = ?7, "
                    "recorded_on = ?8, record_time = ?9 "
                    "WHERE trainee_id = ?1 AND months = ?2"));
    RETURN_IF_ERROR(BindFollowUp(st, f));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return storage::RowNotFoundError(
          "follow-up", absl::StrCat(f.trainee_id, "/+", f.months, " months"));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<FollowUp>> FollowUpsOfTrainee(
      const std::string& trainee_id) override {
    return ListOf<FollowUp>(absl::StrCat("SELECT ", kFollowUpColumns,
                                         " FROM follow_ups WHERE "
                                         "trainee_id = ?1 ORDER BY months"),
                            trainee_id, ReadFollowUp);
  }
  absl::StatusOr<Page<FollowUp>> ListDueFollowUps(
      absl::CivilDay as_of, const FollowUpFilter& filter,
      const PageQuery& page) override {
    std::string columns;
    for (absl::string_view c :
         {"trainee_id", "months", "due_date", "due_key", "outcome",
          "placement_id", "employer_id", "recorded_on", "record_time"}) {
      absl::StrAppend(&columns, columns.empty() ? "" : ", ", "f.", c);
    }
    storage::KeysetQuery q(
        columns,
        filter.region_code.empty()
            ? "follow_ups f"
            : "follow_ups f JOIN trainees t USING (trainee_id)",
        "f.due_key", page.after_key, page.limit);
    q.EqualInt("f.outcome", 0);
    // Days as YYYY-MM-DD text compare in calendar order.
    q.Compare("f.due_date", "<=", storage::DayText(as_of));
    q.Equal("t.training_region_code", filter.region_code);
    return q.Run<Page<FollowUp>>(
        tx_, ReadFollowUp, [](const FollowUp& f) { return FollowUpKey(f); });
  }

  absl::Status Publish(const DomainEvent& event) override {
    RETURN_IF_ERROR(CheckWritable("Publish"));
    return outbox::AppendEncoded(tx_, (*encoder_)(event), EventType(event.kind),
                                 clock_->Now());
  }

 private:
  template <typename T, typename Read>
  absl::StatusOr<std::optional<T>> FindOne(absl::string_view columns,
                                           absl::string_view table,
                                           absl::string_view key_column,
                                           const std::string& key, Read read) {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", columns, " FROM ", table,
                                       " WHERE ", key_column, " = ?1")));
    RETURN_IF_ERROR(st.BindText(1, key));
    return storage::OptionalRow<T>(st, read);
  }

  template <typename T, typename Read>
  absl::StatusOr<std::vector<T>> ListOf(const std::string& sql,
                                        const std::string& key, Read read) {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(sql));
    RETURN_IF_ERROR(st.BindText(1, key));
    return storage::AllRows<T>(st, read);
  }

  const Clock* const clock_;
  const EventEncoder* const encoder_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Repository.

std::vector<storage::Migration> SqlitePlacementRepository::Migrations() {
  std::vector<storage::Migration> m = outbox::ServiceMigrations(
      {1,
       "placement: employers, job offers, trainees, offers, placements, "
       "follow-ups, idempotency requests",
       kPlacementSchemaV1Sql});
  m.push_back({4, "placement: placements.end_reason_code",
               absl::StrCat(kPlacementSchemaV4Sql,
                            outbox::kDeprecatedTextRewriteMarkerSql)});
  return m;
}

absl::StatusOr<std::unique_ptr<SqlitePlacementRepository>>
SqlitePlacementRepository::Open(const storage::DatabaseOptions& options,
                                const Clock* clock, EventEncoder encoder) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqlitePlacementRepository: no clock");
  }
  if (encoder == nullptr) {
    return absl::InvalidArgumentError(
        "SqlitePlacementRepository: no event encoder");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::OpenMigrated(options, Migrations()));
  return std::unique_ptr<SqlitePlacementRepository>(
      new SqlitePlacementRepository(std::move(db), clock, std::move(encoder)));
}

SqlitePlacementRepository::SqlitePlacementRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock,
    EventEncoder encoder)
    : db_(std::move(db)), clock_(clock), encoder_(std::move(encoder)) {}

SqlitePlacementRepository::~SqlitePlacementRepository() = default;

absl::Status SqlitePlacementRepository::Write(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return storage::WriteWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

absl::Status SqlitePlacementRepository::Read(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return storage::ReadWith<SqliteStore>(*db_, fn, clock_, &encoder_);
}

}  // namespace jit::placement
