#include "libs/command/command.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/command/request.h"
#include "libs/command/testing/in_memory.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"

namespace jit::command {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A tiny service: notes, with two answer types.
struct Note {
  std::string text;
  int number = 0;
  friend bool operator==(const Note&, const Note&) = default;
};
struct Tally {
  int notes = 0;
  friend bool operator==(const Tally&, const Tally&) = default;
};
using Snapshot = std::variant<Note, Tally>;
struct Event {
  std::string what;
};

class NoteStore : public ErasableRequestStore<Snapshot> {
 public:
  virtual absl::StatusOr<int> AddNote(const std::string& text) = 0;
  virtual absl::StatusOr<int> CountNotes() = 0;
  virtual absl::Status Publish(const Event& event) = 0;
};

class NoteRepository {
 public:
  virtual ~NoteRepository() = default;
  virtual absl::Status Write(
      absl::FunctionRef<absl::Status(NoteStore&)> fn) = 0;
  virtual absl::Status Read(absl::FunctionRef<absl::Status(NoteStore&)> fn) = 0;
};

struct NoteState {
  testing::InMemoryRequests<Snapshot> requests;
  std::vector<std::string> notes;
};

class FakeNoteStore final
    : public testing::InMemoryErasableStore<NoteStore, NoteState, Event> {
 public:
  using InMemoryErasableStore::InMemoryErasableStore;
  absl::StatusOr<int> AddNote(const std::string& text) override {
    RETURN_IF_ERROR(Mutation());
    state_->notes.push_back(text);
    return static_cast<int>(state_->notes.size());
  }
  absl::StatusOr<int> CountNotes() override {
    return static_cast<int>(state_->notes.size());
  }
};

class FakeNoteRepository final
    : public NoteRepository,
      public testing::InMemoryTransactions<NoteState, Event> {
 public:
  FakeNoteRepository() : InMemoryTransactions(std::make_unique<NoteState>()) {}
  absl::Status Write(absl::FunctionRef<absl::Status(NoteStore&)> fn) override {
    return WriteWith<FakeNoteStore>(fn);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(NoteStore&)> fn) override {
    return ReadWith<FakeNoteStore>(fn);
  }
};

constexpr absl::string_view kAddNote = "AddNote";
constexpr absl::string_view kCount = "Count";

class CommandTest : public ::testing::Test {
 protected:
  // Adds a note under `request_id`, publishing one event; counts applies.
  // `actor` and `fingerprint` go into the request context.
  absl::StatusOr<Note> Add(const std::string& request_id,
                           const std::string& text,
                           const std::string& actor = "act_ana",
                           const std::string& fingerprint = "") {
    return Mutate<Note>(repository_,
                        RequestContext{.request_id = request_id,
                                       .actor_id = actor,
                                       .fingerprint = fingerprint},
                        kAddNote, now_,
                        [&](NoteStore& store) -> absl::StatusOr<Note> {
                          ++applied_;
                          ASSIGN_OR_RETURN(int n, store.AddNote(text));
                          RETURN_IF_ERROR(store.Publish({.what = text}));
                          return Note{.text = text, .number = n};
                        });
  }
  absl::StatusOr<int> Notes() {
    return ReadValue<int>(repository_,
                          [](NoteStore& store) { return store.CountNotes(); });
  }

  FakeNoteRepository repository_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  int applied_ = 0;
};

TEST_F(CommandTest, NewRequestAppliesStoresAndAnswers) {
  absl::StatusOr<Note> note = Add("r1", "hello");
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(*note, (Note{.text = "hello", .number = 1}));
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(repository_.commit_count(), 1);
  ASSERT_EQ(repository_.published().size(), 1u);
  EXPECT_EQ(repository_.published()[0].what, "hello");

  std::optional<StoredRequest<Snapshot>> stored;
  ASSERT_TRUE(repository_
                  .Read([&](NoteStore& store) -> absl::Status {
                    ASSIGN_OR_RETURN(stored, store.FindRequest("r1"));
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->request_id, "r1");
  EXPECT_EQ(stored->operation, "AddNote");
  EXPECT_EQ(std::get<Note>(stored->response), *note);
  EXPECT_EQ(stored->create_time, now_);
  EXPECT_EQ(stored->actor_id, "act_ana");
  EXPECT_EQ(stored->fingerprint, "");
}

TEST_F(CommandTest, StoredAnswerIsReplayedOnlyToTheSameActor) {
  ASSERT_TRUE(Add("r1", "hello", "act_ana", "f1").ok());
  absl::StatusOr<Note> other = Add("r1", "hello", "act_bob", "f1");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::GetFieldViolations(other.status()),
              ElementsAre(status::FieldViolation{
                  "request_id", "already used by another caller"}));
  // Another operation under the same id does not tell bob what ana did.
  absl::StatusOr<std::optional<Tally>> probe = FindReplay<Tally>(
      repository_, RequestContext{.request_id = "r1", .actor_id = "act_bob"},
      kCount);
  EXPECT_THAT(status::GetFieldViolations(probe.status()),
              ElementsAre(status::FieldViolation{
                  "request_id", "already used by another caller"}));
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(*Notes(), 1);

  absl::StatusOr<Note> same = Add("r1", "hello", "act_ana", "f1");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, (Note{.text = "hello", .number = 1}));
  EXPECT_EQ(applied_, 1);
}

TEST_F(CommandTest, SameRequestIdWithAnotherPayloadIsRefused) {
  ASSERT_TRUE(Add("r1", "hello", "act_ana", "f1").ok());
  absl::StatusOr<Note> changed = Add("r1", "bye", "act_ana", "f2");
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::GetFieldViolations(changed.status()),
              ElementsAre(status::FieldViolation{
                  "request_id", "already used with a different request"}));
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(*Notes(), 1);
  // A caller inside the service that sets no fingerprint is not checked.
  absl::StatusOr<Note> unchecked = Add("r1", "bye", "act_ana", "");
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked->text, "hello");
}

TEST_F(CommandTest, AnswersStoredWithoutAnActorAreReplayedToNobody) {
  // A record written before actors were recorded (migrated table).
  ASSERT_TRUE(repository_
                  .Write([&](NoteStore& store) {
                    return store.InsertRequest({.request_id = "r1",
                                                .operation = "AddNote",
                                                .response = Note{.text = "old"},
                                                .create_time = now_});
                  })
                  .ok());
  EXPECT_EQ(Add("r1", "hello", "act_ana").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(applied_, 0);
}

TEST_F(CommandTest, SameRequestSameOperationReplaysTheFirstAnswer) {
  ASSERT_TRUE(Add("r1", "hello").ok());
  absl::StatusOr<Note> again = Add("r1", "something else");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, (Note{.text = "hello", .number = 1}));
  EXPECT_EQ(applied_, 1);
  EXPECT_EQ(*Notes(), 1);
  EXPECT_EQ(repository_.published().size(), 1u);
  // The replay's transaction changed nothing.
  EXPECT_EQ(repository_.mutation_count(), 3);  // note, event, request
}

TEST_F(CommandTest, SameRequestOtherOperationIsInvalidArgument) {
  ASSERT_TRUE(Add("r1", "hello").ok());
  absl::StatusOr<Tally> tally =
      Mutate<Tally>(repository_,
                    RequestContext{.request_id = "r1", .actor_id = "act_ana"},
                    kCount,
                    now_, [](NoteStore& store) -> absl::StatusOr<Tally> {
                      ADD_FAILURE() << "applied a reused request id";
                      return Tally{};
                    });
  EXPECT_EQ(tally.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::GetFieldViolations(tally.status()),
              ElementsAre(status::FieldViolation{"request_id",
                                                 "already used for AddNote"}));
}

TEST_F(CommandTest, StoredSnapshotOfAnotherTypeIsInternal) {
  // A record whose operation matches but whose answer is of another type.
  ASSERT_TRUE(repository_
                  .Write([&](NoteStore& store) {
                    return store.InsertRequest({.request_id = "r1",
                                                .operation = "AddNote",
                                                .response = Tally{.notes = 4},
                                                .create_time = now_,
                                                .actor_id = "act_ana"});
                  })
                  .ok());
  absl::StatusOr<Note> note = Add("r1", "hello");
  EXPECT_EQ(note.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(note.status().message(),
            "stored response of request 'r1' does not match operation AddNote");
  EXPECT_EQ(applied_, 0);
}

TEST_F(CommandTest, FailedApplyStoresNothingAndMayBeRetried) {
  absl::StatusOr<Note> failed =
      Mutate<Note>(repository_, RequestContext{.request_id = "r1"}, kAddNote,
                   now_, [](NoteStore& store) -> absl::StatusOr<Note> {
                     RETURN_IF_ERROR(store.AddNote("half").status());
                     return absl::FailedPreconditionError("no");
                   });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*Notes(), 0);
  EXPECT_EQ(repository_.commit_count(), 0);

  absl::StatusOr<Note> retried = Add("r1", "hello");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->number, 1);
}

TEST_F(CommandTest, FailedCommitStoresNothingAndMayBeRetried) {
  repository_.FailNextCommit(absl::UnavailableError("disk"));
  EXPECT_EQ(Add("r1", "hello").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(repository_.published().empty());
  absl::StatusOr<Note> retried = Add("r1", "hello");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(applied_, 2);
  EXPECT_EQ(repository_.published().size(), 1u);
}

TEST_F(CommandTest, ViewAnswersFromTheSnapshotAndTheCurrentStore) {
  auto add_and_count = [&](const std::string& id) {
    return Mutate<Note, std::string>(
        repository_, RequestContext{.request_id = id}, kAddNote, now_,
        [](NoteStore& store) -> absl::StatusOr<Note> {
          ASSIGN_OR_RETURN(int n, store.AddNote("x"));
          return Note{.text = "x", .number = n};
        },
        [](NoteStore& store, const Note& note) -> absl::StatusOr<std::string> {
          ASSIGN_OR_RETURN(int total, store.CountNotes());
          return absl::StrCat("note ", note.number, " of ", total);
        });
  };
  EXPECT_EQ(*add_and_count("a"), "note 1 of 1");
  EXPECT_EQ(*add_and_count("b"), "note 2 of 2");
  // The replay of "a": its own snapshot, today's store.
  EXPECT_EQ(*add_and_count("a"), "note 1 of 2");
}

TEST_F(CommandTest, FindReplayReadsTheStoredAnswerWithoutWriting) {
  const RequestContext ctx{.request_id = "r1", .actor_id = "act_ana"};
  absl::StatusOr<std::optional<Note>> none =
      FindReplay<Note>(repository_, ctx, kAddNote);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(Add("r1", "hello").ok());
  const int64_t commits = repository_.commit_count();
  absl::StatusOr<std::optional<Note>> replay =
      FindReplay<Note>(repository_, ctx, kAddNote);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, (Note{.text = "hello", .number = 1}));
  EXPECT_EQ(repository_.commit_count(), commits);

  EXPECT_EQ(FindReplay<Tally>(repository_, ctx, kCount).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FindReplay<Tally>(repository_, ctx, kAddNote).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(CommandTest, ErasedAnswersAreReplayedScrubbedAndNeverAppliedAgain) {
  ASSERT_TRUE(Add("r1", "secret one", "act_ana", "f1").ok());
  ASSERT_TRUE(Add("r2", "public", "act_ana", "f2").ok());
  ASSERT_TRUE(Add("r3", "secret two", "act_bob", "f3").ok());
  const absl::Time erased_at = now_ + absl::Minutes(5);
  // Answers about a secret lose their text; the others are not concerned.
  auto scrub = [](const Snapshot& s) -> std::optional<Snapshot> {
    const Note* n = std::get_if<Note>(&s);
    if (n == nullptr || n->text.find("secret") == std::string::npos) {
      return std::nullopt;
    }
    return Note{.text = "", .number = n->number};
  };
  absl::StatusOr<int64_t> erased = 0;
  auto erase = [&] {
    return repository_.Write([&](NoteStore& store) -> absl::Status {
      erased = EraseStoredAnswers(store, "secret", scrub, erased_at);
      return erased.status();
    });
  };
  ASSERT_TRUE(erase().ok());
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 2);

  // The record keeps who asked and for what; the answer is scrubbed and the
  // digest gone.
  std::optional<StoredRequest<Snapshot>> stored;
  ASSERT_TRUE(repository_
                  .Read([&](NoteStore& store) -> absl::Status {
                    ASSIGN_OR_RETURN(stored, store.FindRequest("r1"));
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->erase_time, erased_at);
  EXPECT_EQ(stored->operation, "AddNote");
  EXPECT_EQ(stored->actor_id, "act_ana");
  EXPECT_EQ(stored->fingerprint, "");
  EXPECT_EQ(stored->response, Snapshot(Note{.text = "", .number = 1}));

  // Its replay answers the scrubbed answer, whatever the payload (it can no
  // longer be compared); nothing is applied again.
  for (const std::string fingerprint : {"f1", "f9", ""}) {
    absl::StatusOr<Note> replay = Add("r1", "secret one", "act_ana", fingerprint);
    ASSERT_TRUE(replay.ok()) << replay.status();
    EXPECT_EQ(*replay, (Note{.text = "", .number = 1}));
  }
  EXPECT_EQ(applied_, 3);
  EXPECT_EQ(*Notes(), 3);
  // Another caller and another operation still get their refusals.
  EXPECT_THAT(status::GetFieldViolations(Add("r3", "x", "act_ana").status()),
              ElementsAre(status::FieldViolation{
                  "request_id", "already used by another caller"}));
  EXPECT_EQ(FindReplay<Tally>(repository_,
                              RequestContext{.request_id = "r1",
                                             .actor_id = "act_ana"},
                              kCount)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // An answer that was not concerned keeps its payload check.
  EXPECT_EQ(Add("r2", "public", "act_ana", "f9").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Note> kept = Add("r2", "public", "act_ana", "f2");
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->text, "public");

  // Erasing again leaves the erased answers alone.
  ASSERT_TRUE(erase().ok());
  EXPECT_EQ(*erased, 0);
}

TEST_F(CommandTest, ErasingAMissingRequestIsNotFound) {
  absl::Status s = repository_.Write([&](NoteStore& store) {
    return store.EraseRequest("nope", Note{}, now_);
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
}

TEST_F(CommandTest, ReplayOfTheWholeVariant) {
  StoredRequest<Snapshot> stored{
      .request_id = "r1", .operation = "Count", .response = Tally{.notes = 2}};
  absl::StatusOr<const Snapshot*> whole =
      ReplayOf<Snapshot>(stored, RequestContext{.request_id = "r1"}, kCount);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(std::get<Tally>(**whole).notes, 2);
}

TEST_F(CommandTest, ReadValuePassesErrorsThrough) {
  EXPECT_EQ(*Notes(), 0);
  absl::StatusOr<int> failed =
      ReadValue<int>(repository_, [](NoteStore&) -> absl::StatusOr<int> {
        return absl::NotFoundError("gone");
      });
  EXPECT_EQ(failed.status(), absl::NotFoundError("gone"));
}

TEST_F(CommandTest, ReadTransactionsRefuseMutations) {
  absl::Status s = repository_.Read([&](NoteStore& store) {
    return store.InsertRequest(
        {.request_id = "r1", .operation = "AddNote", .response = Note{}});
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(repository_
                .Read([&](NoteStore& store) {
                  return store.DeleteRequestsBefore(now_, 10).status();
                })
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      repository_.Read([&](NoteStore& store) { return store.Publish({}); })
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST_F(CommandTest, ExpiredRequestIdIsANewRequest) {
  ASSERT_TRUE(Add("old", "first").ok());
  now_ += absl::Hours(1);
  ASSERT_TRUE(Add("new", "second").ok());
  int64_t deleted = -1;
  ASSERT_TRUE(repository_
                  .Write([&](NoteStore& store) -> absl::Status {
                    ASSIGN_OR_RETURN(deleted, store.DeleteRequestsBefore(
                                                  now_, /*limit=*/10));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(deleted, 1);
  absl::StatusOr<Note> again = Add("old", "third");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->text, "third");
  EXPECT_EQ((*Add("new", "fourth")).text, "second");
}

TEST(StampEventTest, CopiesTheTimeAndWhoAsked) {
  struct SomeEvent {
    std::string kind = "x";
    absl::Time occurred_at = absl::UnixEpoch();
    std::string request_id;
    std::string traceparent;
    std::string actor_id;
  } e;
  const absl::Time t = absl::FromUnixSeconds(42);
  StampEvent(e,
             RequestContext{.request_id = "r1",
                            .traceparent = "00-0af7651916cd43dd8448eb211c80319c-"
                                           "b7ad6b7169203331-01",
                            .actor_id = "act_00112233445566aa"},
             t);
  EXPECT_EQ(e.actor_id, "act_00112233445566aa");
  EXPECT_EQ(e.kind, "x");
  EXPECT_EQ(e.occurred_at, t);
  EXPECT_EQ(e.request_id, "r1");
  EXPECT_EQ(e.traceparent,
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
}

TEST(TruncateToMicrosTest, DropsNanoseconds) {
  const absl::Time t = absl::FromUnixNanos(1'700'000'000'123'456'789);
  EXPECT_EQ(TruncateToMicros(t), absl::FromUnixMicros(1'700'000'000'123'456));
}

}  // namespace
}  // namespace jit::command
