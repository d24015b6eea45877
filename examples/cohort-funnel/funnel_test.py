#!/usr/bin/python3
"""Unit tests of cohort_funnel.Funnel without Kafka: dedupe, per-key order,
gaps, the funnel's implications, days in Africa/Casablanca, the CSV rows.
Run: /usr/bin/python3 examples/cohort-funnel/funnel_test.py"""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cohort_funnel  # noqa: E402

pb = cohort_funnel.load_contracts(cohort_funnel.DEFAULT_PROTO)
_ids = iter(range(1, 10**6))


def event(body, trainee, seq, when, cohort="coh_a", event_id=None):
    """A LifecycleEvent with `body` set; `when` is an ISO UTC time."""
    e = pb.LifecycleEvent()
    md = e.metadata
    md.event_id = event_id or f"00000000-0000-7000-8000-{next(_ids):012d}"
    md.event_type = "enrollment.x.y"
    md.source = "jobintech/enrollment"
    t = datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.timezone.utc)
    md.occurred_at.seconds = int(t.timestamp())
    md.trainee_id = trainee
    md.sequence = seq
    getattr(e, body).cohort_id = cohort
    return e


def cohort_opened(cohort, name, seq=1):
    e = pb.LifecycleEvent()
    e.metadata.event_id = f"00000000-0000-7000-8000-{next(_ids):012d}"
    e.metadata.aggregate_id = cohort
    e.metadata.sequence = seq
    e.cohort_opened.cohort.cohort_id = cohort
    e.cohort_opened.cohort.name = name
    return e


class FunnelTest(unittest.TestCase):
    def test_events_of_a_key_are_applied_in_sequence_order(self):
        f = cohort_funnel.Funnel()
        f.offer(event("application_admitted", "t1", 2, "2026-03-02T10:00:00"))
        f.offer(event("application_submitted", "t2", 1, "2026-03-02T10:00:00"))
        self.assertEqual(f.applied_log, [("t2", 1)])  # t1's 2 is held until its 1 arrives
        f.offer(event("application_submitted", "t1", 1, "2026-03-01T10:00:00"))
        f.finish()
        self.assertEqual(f.applied_log, [("t2", 1), ("t1", 1), ("t1", 2)])
        self.assertEqual(f.stats["gaps"], 0)

    def test_duplicates_by_event_id_and_by_sequence_are_dropped(self):
        f = cohort_funnel.Funnel()
        first = event("application_submitted", "t1", 1, "2026-03-02T10:00:00")
        f.offer(first)
        f.offer(first)  # same event id
        f.offer(event("application_submitted", "t1", 1, "2026-03-05T10:00:00"))  # another id, same sequence
        f.offer(event("application_admitted", "t1", 3, "2026-03-06T10:00:00"))
        f.offer(event("application_admitted", "t1", 3, "2026-03-07T10:00:00"))  # same held sequence
        f.finish()
        self.assertEqual(f.stats["duplicates"], 3)
        self.assertEqual(f.applied_log, [("t1", 1), ("t1", 3)])
        self.assertEqual(f.stats["gaps"], 1)  # 2 never came: 3 applied at the end
        self.assertEqual(f.rows(), [["2026-03-02", "coh_a", "", 1, 0, 0], ["2026-03-06", "coh_a", "", 1, 1, 0]])

    def test_daily_cumulative_funnel_with_implied_stages(self):
        f = cohort_funnel.Funnel()
        f.offer(cohort_opened("coh_a", "Web A"))
        # t1: applied, admitted, confirmed on three days.
        f.offer(event("application_submitted", "t1", 1, "2026-03-01T09:00:00"))
        f.offer(event("application_admitted", "t1", 2, "2026-03-02T09:00:00"))
        f.offer(event("enrolment_confirmed", "t1", 3, "2026-03-03T09:00:00"))
        # t2: applied, then declined its admission (counts as admitted).
        f.offer(event("application_submitted", "t2", 1, "2026-03-01T12:00:00"))
        f.offer(event("admission_declined", "t2", 2, "2026-03-03T12:00:00"))
        # t3: rejected after waiting: applied only.
        f.offer(event("application_submitted", "t3", 1, "2026-03-02T12:00:00"))
        f.offer(event("application_waitlisted", "t3", 2, "2026-03-02T13:00:00"))
        f.offer(event("application_rejected", "t3", 3, "2026-03-03T13:00:00"))
        # t4: only its withdrawal survived: enrolled, hence admitted and applied, that day.
        f.offer(event("enrolment_withdrawn", "t4", 1, "2026-03-03T15:00:00"))
        # t5 in another cohort, at 23:30 UTC on 2 June: 3 June in Casablanca (UTC+1); and t6 at 23:30
        # UTC on 2 March, during Ramadan, when Morocco is on UTC+0: still 2 March.
        f.offer(event("application_submitted", "t5", 1, "2026-06-02T23:30:00", cohort="coh_b"))
        f.offer(event("application_submitted", "t6", 1, "2026-03-02T23:30:00", cohort="coh_b"))
        f.finish()
        self.assertEqual(f.rows(), [
            ["2026-03-01", "coh_a", "Web A", 2, 0, 0],
            ["2026-03-02", "coh_a", "Web A", 3, 1, 0],
            ["2026-03-03", "coh_a", "Web A", 4, 3, 2],
            ["2026-03-02", "coh_b", "", 1, 0, 0],
            ["2026-06-03", "coh_b", "", 2, 0, 0],
        ])
        self.assertEqual(f.stats["records"], 12)
        self.assertEqual(f.stats["applied"], 12)

    def test_the_same_trainee_in_two_cohorts_is_two_journeys(self):
        f = cohort_funnel.Funnel()
        f.offer(event("application_submitted", "t1", 1, "2026-03-01T09:00:00", cohort="coh_a"))
        f.offer(event("application_submitted", "t1", 2, "2026-03-01T10:00:00", cohort="coh_b"))
        f.finish()
        self.assertEqual(len(f.journeys), 2)
        self.assertEqual([r[1] for r in f.rows()], ["coh_a", "coh_b"])


if __name__ == "__main__":
    unittest.main()
