#include "libs/storage/statement.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"

namespace jit::storage {
namespace {

using ::testing::HasSubstr;

class StatementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.path = ":memory:"});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Execute("CREATE TABLE v(i INTEGER, d REAL, t TEXT, "
                             "b BLOB, n)")
                    .ok());
  }

  // Runs `fn` in a write transaction and expects it to succeed.
  void InTx(const std::function<absl::Status(Tx&)>& fn) {
    absl::Status s = db_->Transaction(TxMode::kImmediate, fn);
    EXPECT_TRUE(s.ok()) << s;
  }

  std::unique_ptr<Database> db_;
};

TEST_F(StatementTest, BindsByIndexAndReadsEveryType) {
  const std::string text("h\xC3\xA9llo\0world", 12);
  const std::string blob("\x00\x01\xFF\x00", 4);
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement ins,
                     tx.Prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(ins.BindInt64(1, INT64_C(-9007199254740993)));
    RETURN_IF_ERROR(ins.BindDouble(2, 2.5));
    RETURN_IF_ERROR(ins.BindText(3, text));
    RETURN_IF_ERROR(ins.BindBlob(4, blob));
    RETURN_IF_ERROR(ins.BindNull(5));
    RETURN_IF_ERROR(ins.Run());

    ASSIGN_OR_RETURN(Statement sel, tx.Prepare("SELECT i, d, t, b, n FROM v"));
    ASSIGN_OR_RETURN(bool row, sel.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(sel.ColumnCount(), 5);
    EXPECT_EQ(sel.ColumnName(2), "t");
    EXPECT_EQ(sel.ColumnInt64(0), INT64_C(-9007199254740993));
    EXPECT_DOUBLE_EQ(sel.ColumnDouble(1), 2.5);
    EXPECT_EQ(sel.ColumnText(2), text);
    EXPECT_EQ(sel.ColumnBlob(3), blob);
    EXPECT_TRUE(sel.ColumnIsNull(4));
    EXPECT_FALSE(sel.ColumnIsNull(0));
    ASSIGN_OR_RETURN(bool more, sel.Step());
    EXPECT_FALSE(more);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, EmptyTextAndBlobAreNotNull) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement ins,
                     tx.Prepare("INSERT INTO v(t, b) VALUES (?, ?)"));
    RETURN_IF_ERROR(ins.BindText(1, ""));
    RETURN_IF_ERROR(ins.BindBlob(2, ""));
    RETURN_IF_ERROR(ins.Run());
    ASSIGN_OR_RETURN(Statement sel,
                     tx.Prepare("SELECT t IS NULL, b IS NULL FROM v"));
    ASSIGN_OR_RETURN(bool row, sel.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(sel.ColumnInt64(0), 0);
    EXPECT_EQ(sel.ColumnInt64(1), 0);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, BindsByNameWithOrWithoutPrefix) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(
        Statement ins,
        tx.Prepare("INSERT INTO v(i, t, d) VALUES (:id, @name, $ratio)"));
    RETURN_IF_ERROR(ins.BindInt64("id", 3));  // bare name means ":id"
    RETURN_IF_ERROR(ins.BindText("@name", "x"));
    RETURN_IF_ERROR(ins.BindDouble("$ratio", 0.5));
    RETURN_IF_ERROR(ins.Run());
    ASSIGN_OR_RETURN(Statement sel,
                     tx.Prepare("SELECT t, d FROM v WHERE i = :id"));
    RETURN_IF_ERROR(sel.BindInt64(":id", 3));
    ASSIGN_OR_RETURN(bool row, sel.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(sel.ColumnText(0), "x");
    EXPECT_DOUBLE_EQ(sel.ColumnDouble(1), 0.5);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, UnknownParameterNameIsInvalidArgument) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT :a"));
    absl::Status s = st.BindInt64(":nope", 1);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr(":nope"));
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, ParameterIndexOutOfRangeIsInvalidArgument) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT ?"));
    EXPECT_EQ(st.BindInt64(2, 1).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(st.BindText(0, "x").code(), absl::StatusCode::kInvalidArgument);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, ResetRewindsAndClearsBindings) {
  InTx([&](Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO v(i) VALUES (1), (2), (3)"));
    ASSIGN_OR_RETURN(Statement st,
                     tx.Prepare("SELECT count(*) FROM v WHERE i >= ?"));
    RETURN_IF_ERROR(st.BindInt64(1, 2));
    ASSIGN_OR_RETURN(bool row, st.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st.ColumnInt64(0), 2);
    RETURN_IF_ERROR(st.Reset());
    // NULL bound: "i >= NULL" matches nothing.
    ASSIGN_OR_RETURN(row, st.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st.ColumnInt64(0), 0);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, RunKeepsBindingsSoTheStatementCanBeRerun) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement ins,
                     tx.Prepare("INSERT INTO v(i, t) VALUES (?, ?)"));
    RETURN_IF_ERROR(ins.BindText(2, "same"));
    for (int i = 0; i < 3; ++i) {
      RETURN_IF_ERROR(ins.BindInt64(1, i));
      RETURN_IF_ERROR(ins.Run());
    }
    ASSIGN_OR_RETURN(Statement sel,
                     tx.Prepare("SELECT count(*) FROM v WHERE t = 'same'"));
    ASSIGN_OR_RETURN(bool row, sel.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(sel.ColumnInt64(0), 3);
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, ColumnsOutOfRangeReadAsNull) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT 1"));
    EXPECT_TRUE(st.ColumnIsNull(0));  // no row yet
    ASSIGN_OR_RETURN(bool row, st.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(st.ColumnInt64(5), 0);
    EXPECT_EQ(st.ColumnText(-1), "");
    EXPECT_TRUE(st.ColumnIsNull(1));
    EXPECT_EQ(st.ColumnName(9), "");
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, PrepareRefusesSeveralStatementsAndEmptySql) {
  InTx([&](Tx& tx) -> absl::Status {
    EXPECT_EQ(tx.Prepare("SELECT 1; SELECT 2").status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(tx.Prepare("   ").status().code(),
              absl::StatusCode::kInvalidArgument);
    // A trailing semicolon, blanks or comment is fine.
    EXPECT_TRUE(tx.Prepare("SELECT 1;  -- done\n").ok());
    absl::StatusOr<Statement> bad = tx.Prepare("SELECT * FROM missing");
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(bad.status().message(), HasSubstr("no such table"));
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, ReleasedStatementsAreCachedAndComeBackClean) {
  const std::string sql = "SELECT count(*) FROM v WHERE i = ?";
  InTx([&](Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Execute("INSERT INTO v(i) VALUES (1)"));
    const int before = db_->CachedStatementCount();
    {
      ASSIGN_OR_RETURN(Statement st, tx.Prepare(sql));
      RETURN_IF_ERROR(st.BindInt64(1, 1));
      ASSIGN_OR_RETURN(bool row, st.Step());  // left mid-iteration
      EXPECT_TRUE(row);
    }
    EXPECT_EQ(db_->CachedStatementCount(), before + 1);
    ASSIGN_OR_RETURN(Statement again, tx.Prepare(sql));
    EXPECT_EQ(db_->CachedStatementCount(), before);  // taken from the cache
    ASSIGN_OR_RETURN(bool row, again.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(again.ColumnInt64(0), 0);  // binding was cleared
    return absl::OkStatus();
  });
}

TEST_F(StatementTest, CacheCanBeDisabled) {
  auto db = Database::Open({.path = ":memory:", .statement_cache_capacity = 0});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(
      (*db)
          ->Transaction(TxMode::kDeferred,
                        [](Tx& tx) { return tx.Prepare("SELECT 1").status(); })
          .ok());
  EXPECT_EQ((*db)->CachedStatementCount(), 0);
}

TEST_F(StatementTest, MovedStatementKeepsWorkingAndSourceIsInert) {
  InTx([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement a, tx.Prepare("SELECT 42"));
    Statement b = std::move(a);
    EXPECT_EQ(a.Step().status().code(),  // NOLINT(bugprone-use-after-move)
              absl::StatusCode::kFailedPrecondition);
    ASSIGN_OR_RETURN(bool row, b.Step());
    EXPECT_TRUE(row);
    EXPECT_EQ(b.ColumnInt64(0), 42);
    EXPECT_EQ(b.sql(), "SELECT 42");
    return absl::OkStatus();
  });
}

}  // namespace
}  // namespace jit::storage
