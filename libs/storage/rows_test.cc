#include "libs/storage/rows.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/errors.h"

namespace jit::storage {
namespace {

enum class Colour { kRed, kBlue };
std::string ColourName(Colour c) { return c == Colour::kRed ? "RED" : "BLUE"; }
constexpr Colour kColours[] = {Colour::kRed, Colour::kBlue};

struct Item {
  std::string id;
  std::optional<absl::CivilDay> day;
  std::optional<absl::Time> time;
};

absl::StatusOr<Item> ReadItem(const Statement& st) {
  Item item;
  item.id = st.ColumnText(0);
  ASSIGN_OR_RETURN(item.day, OptionalDayColumn(st, 1, "day"));
  item.time = OptionalTimeColumn(st, 2);
  return item;
}

class RowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.path = ":memory:"});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Migrate({{1, "items",
                               "CREATE TABLE items (id TEXT PRIMARY KEY, "
                               "day TEXT, time INTEGER, code TEXT UNIQUE)"}})
                    .ok());
  }
  absl::Status Insert(const Item& item, const std::string& code) {
    return db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(Statement st,
                       tx.Prepare(absl::StrCat("INSERT INTO items VALUES (",
                                               Placeholders(4), ")")));
      RETURN_IF_ERROR(st.BindText(1, item.id));
      RETURN_IF_ERROR(BindOptionalDay(st, 2, item.day));
      RETURN_IF_ERROR(BindOptionalTime(st, 3, item.time));
      RETURN_IF_ERROR(st.BindText(4, code));
      return MapInsertError(st.Run(), "item", item.id,
                            absl::StrCat("another item has code ", code));
    });
  }
  std::unique_ptr<Database> db_;
};

TEST(RowsValues, EncodeTimesAndDays) {
  EXPECT_EQ(ToMicros(absl::FromUnixMicros(1'700'000'000'123'456)),
            1'700'000'000'123'456);
  EXPECT_EQ(FromMicros(42), absl::FromUnixMicros(42));
  EXPECT_EQ(DayText(absl::CivilDay(2026, 3, 9)), "2026-03-09");
  ASSERT_TRUE(ParseDay("2026-03-09", "start").ok());
  EXPECT_EQ(*ParseDay("2026-03-09", "start"), absl::CivilDay(2026, 3, 9));
  const absl::Status bad = ParseDay("09/03/2026", "start").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(bad.message(), "stored start '09/03/2026' is not a YYYY-MM-DD day");
  EXPECT_EQ(Placeholders(3), "?1, ?2, ?3");
  EXPECT_EQ(Placeholders(0), "");
}

TEST(RowsValues, ParseNameFindsTheEnumeratorOrLosesData) {
  EXPECT_EQ(*ParseName(kColours, ColourName, "BLUE", "colour"), Colour::kBlue);
  const absl::Status s =
      ParseName(kColours, ColourName, "PINK", "colour").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "stored colour 'PINK' is unknown");
}

TEST(RowsErrors, Messages) {
  EXPECT_EQ(ReadOnlyError("InsertTrack").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadOnlyError("InsertTrack").message(),
            "InsertTrack: the store is read-only inside a read transaction");
  EXPECT_EQ(DuplicateError("track", "t1").message(),
            "track 't1' already exists");
  EXPECT_EQ(RowNotFoundError("track", "t1").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(RowNotFoundError("track", "t1").message(), "track 't1' not found");
  // Statuses that are not SQLite constraint violations pass through, even
  // ALREADY_EXISTS from domain code.
  const absl::Status domain = absl::AlreadyExistsError("domain");
  EXPECT_EQ(MapInsertError(domain, "track", "t1"), domain);
  EXPECT_EQ(MapInsertErrorNamed(domain, "x"), domain);
  EXPECT_TRUE(MapInsertError(absl::OkStatus(), "track", "t1").ok());
}

TEST_F(RowsTest, OptionalColumnsRoundTripAsNull) {
  const Item full{"a", absl::CivilDay(2026, 1, 2), absl::FromUnixMicros(7)};
  const Item empty{"b", std::nullopt, std::nullopt};
  ASSERT_TRUE(Insert(full, "c1").ok());
  ASSERT_TRUE(Insert(empty, "c2").ok());
  std::vector<Item> items;
  std::optional<Item> missing;
  ASSERT_TRUE(db_->Transaction(
                     TxMode::kDeferred,
                     [&](Tx& tx) -> absl::Status {
                       ASSIGN_OR_RETURN(Statement all,
                                        tx.Prepare("SELECT id, day, time FROM "
                                                   "items ORDER BY id"));
                       ASSIGN_OR_RETURN(items, AllRows<Item>(all, ReadItem));
                       ASSIGN_OR_RETURN(Statement one,
                                        tx.Prepare("SELECT id, day, time FROM "
                                                   "items WHERE id = 'zz'"));
                       ASSIGN_OR_RETURN(missing,
                                        OptionalRow<Item>(one, ReadItem));
                       return absl::OkStatus();
                     })
                  .ok());
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].day, absl::CivilDay(2026, 1, 2));
  EXPECT_EQ(items[0].time, absl::FromUnixMicros(7));
  EXPECT_EQ(items[1].id, "b");
  EXPECT_EQ(items[1].day, std::nullopt);
  EXPECT_EQ(items[1].time, std::nullopt);
  EXPECT_EQ(missing, std::nullopt);
}

TEST_F(RowsTest, ReaderErrorsAndPlainReadersReachTheCaller) {
  ASSERT_TRUE(db_->Execute("INSERT INTO items VALUES ('x', 'soon', NULL, "
                           "NULL)")
                  .ok());
  absl::Status read_error;
  std::optional<std::string> id;
  ASSERT_TRUE(
      db_->Transaction(
             TxMode::kDeferred,
             [&](Tx& tx) -> absl::Status {
               ASSIGN_OR_RETURN(Statement st,
                                tx.Prepare("SELECT id, day, time FROM items"));
               read_error = OptionalRow<Item>(st, ReadItem).status();
               ASSIGN_OR_RETURN(Statement again,
                                tx.Prepare("SELECT id FROM items"));
               ASSIGN_OR_RETURN(
                   id, OptionalRow<std::string>(again, [](const Statement& s) {
                     return s.ColumnText(0);
                   }));
               return absl::OkStatus();
             })
          .ok());
  EXPECT_EQ(read_error.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(read_error.message(), "stored day 'soon' is not a YYYY-MM-DD day");
  EXPECT_EQ(id, "x");
}

TEST_F(RowsTest, InsertErrorsTellThePrimaryKeyFromAnotherUniqueKey) {
  ASSERT_TRUE(Insert({"a", std::nullopt, std::nullopt}, "c1").ok());
  const absl::Status same_id = Insert({"a", std::nullopt, std::nullopt}, "c9");
  EXPECT_EQ(same_id.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(same_id.message(), "item 'a' already exists");
  const absl::Status same_code =
      Insert({"b", std::nullopt, std::nullopt}, "c1");
  EXPECT_EQ(same_code.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(same_code.message(), "another item has code c1");

  const absl::Status named =
      db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(Statement st,
                         tx.Prepare("INSERT INTO items (id) VALUES ('a')"));
        return MapInsertErrorNamed(st.Run(), "the item a of the list");
      });
  EXPECT_EQ(named.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(named.message(), "the item a of the list already exists");
}

TEST_F(RowsTest, SingleInt64ReadsTheOnlyRowOrSaysThereIsNone) {
  absl::StatusOr<int64_t> count;
  absl::StatusOr<int64_t> none;
  ASSERT_TRUE(db_->Transaction(TxMode::kDeferred,
                               [&](Tx& tx) -> absl::Status {
                                 ASSIGN_OR_RETURN(Statement st,
                                                  tx.Prepare("SELECT 41 + 1"));
                                 count = SingleInt64(st, "answer");
                                 ASSIGN_OR_RETURN(
                                     Statement empty,
                                     tx.Prepare("SELECT 1 FROM items"));
                                 none = SingleInt64(empty, "item count");
                                 return absl::OkStatus();
                               })
                  .ok());
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 42);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(none.status().message(), "no item count row");
}

enum class Band { kUnset, kLow, kHigh };
struct Dims {
  Band gender = Band::kUnset;
  Band age_band = Band::kUnset;
  Band education_level = Band::kUnset;
  std::string residence_province_code, residence_region_code,
      training_province_code, training_region_code, track_id, cohort_id,
      centre_id;
};

TEST_F(RowsTest, DimensionsTakeTenColumnsInOrder) {
  ASSERT_TRUE(db_->Execute("CREATE TABLE dims (id TEXT, g INT, a INT, e INT, "
                           "rp TEXT, rr TEXT, tp TEXT, tr TEXT, track TEXT, "
                           "cohort TEXT, centre TEXT)")
                  .ok());
  const Dims d{Band::kLow, Band::kHigh, Band::kLow, "rp",     "rr",
               "tp",       "tr",        "track",    "cohort", "centre"};
  Dims back;
  std::string stored;
  ASSERT_TRUE(db_->Transaction(
                     TxMode::kImmediate,
                     [&](Tx& tx) -> absl::Status {
                       ASSIGN_OR_RETURN(
                           Statement ins,
                           tx.Prepare(absl::StrCat("INSERT INTO dims VALUES (",
                                                   Placeholders(11), ")")));
                       RETURN_IF_ERROR(ins.BindText(1, "x"));
                       RETURN_IF_ERROR(BindDimensions(ins, 2, d));
                       RETURN_IF_ERROR(ins.Run());
                       ASSIGN_OR_RETURN(
                           Statement sel,
                           tx.Prepare("SELECT *, g || a || e || rp || "
                                      "centre FROM dims"));
                       ASSIGN_OR_RETURN(bool row, sel.Step());
                       if (!row) return absl::InternalError("no row");
                       ReadDimensions(sel, 1, back);
                       stored = sel.ColumnText(11);
                       return absl::OkStatus();
                     })
                  .ok());
  EXPECT_EQ(stored, "121rpcentre");
  EXPECT_EQ(back.gender, Band::kLow);
  EXPECT_EQ(back.age_band, Band::kHigh);
  EXPECT_EQ(back.education_level, Band::kLow);
  EXPECT_EQ(back.residence_province_code, "rp");
  EXPECT_EQ(back.training_region_code, "tr");
  EXPECT_EQ(back.track_id, "track");
  EXPECT_EQ(back.centre_id, "centre");
}

}  // namespace
}  // namespace jit::storage
