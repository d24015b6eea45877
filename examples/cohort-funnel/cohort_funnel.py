#!/usr/bin/python3
"""A sample stream consumer: the daily enrolment funnel of every cohort, as CSV.

Reads a JobInTech lifecycle topic (default jobintech.enrollment.v1) from the
beginning to its end as it was when the consumer started, applying the rules of
the event catalogue (docs/events/asyncapi.yaml):

  * dedupe: an event id is applied once; per key, a sequence number already
    applied is a duplicate too;
  * per-trainee order: per key, events are applied in `metadata.sequence`
    order; an event that arrives before the one preceding it is held until the
    gap closes (at the end of the topic, held events are applied in sequence
    order and counted as `gaps`).

The funnel follows the aggregator's definitions (services/aggregator/README.md)
for the stages the enrollment topic carries, per journey (trainee, cohort):
applied = the earliest enrollment step; admitted = admitted or declined, or
enrolled; enrolled = enrolment confirmed or withdrawn. Each stage is dated at
its earliest step, by the event's `occurredAt` in Africa/Casablanca. The CSV has
one row per cohort and day on which one of its counts changed, with the counts
at the end of that day (cumulative):

    date,cohort_id,cohort_name,applied,admitted,enrolled

A summary line (JSON) goes to stderr: records, events applied, duplicates,
gaps, undecodable records.

Needs Debian's python3-confluent-kafka and python3-protobuf, and protoc (the
Python classes are generated from proto/ at start). See README.md.
"""
import argparse
import atexit
import csv
import datetime
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.abspath(os.path.join(HERE, "..", "..", "proto"))


def load_contracts(proto_dir):
    """Generates the Python classes of the event contracts; returns the module of LifecycleEvent."""
    out = tempfile.mkdtemp(prefix="jit-funnel-pb-")
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    files = [os.path.join(proto_dir, "jobintech", sub, "v1", f)
             for sub, names in (("common", ("common.proto", "reasons.proto")),
                                ("events", ("enrollment_events.proto", "progress_events.proto",
                                            "placement_events.proto", "lifecycle_event.proto")))
             for f in names]
    subprocess.run(["protoc", f"-I{proto_dir}", "-I/usr/include", f"--python_out={out}"] + files, check=True)
    sys.path.insert(0, out)
    return importlib.import_module("jobintech.events.v1.lifecycle_event_pb2")


# Enrollment bodies -> what they say about the journey.
APPLIED, ADMITTED, CONFIRMED, ENROLMENT_WITHDRAWN, OTHER = range(5)
STEP_OF_BODY = {
    "application_submitted": OTHER,
    "application_waitlisted": OTHER,
    "application_rejected": OTHER,
    "application_admitted": ADMITTED,
    "admission_declined": ADMITTED,
    "enrolment_confirmed": CONFIRMED,
    "enrolment_withdrawn": ENROLMENT_WITHDRAWN,
}


class Funnel:
    """Dedupe, per-key ordering and the funnel fold. Feed it with `offer()`,
    then call `finish()`. Not thread-safe."""

    def __init__(self, zone="Africa/Casablanca"):
        self.zone = zoneinfo.ZoneInfo(zone)
        self.seen_ids = set()
        self.applied_seq = {}   # key -> highest sequence applied in order
        self.held = {}          # key -> {sequence: event}
        self.journeys = {}      # (trainee, cohort) -> {"applied": day, ...}
        self.cohort_names = {}
        self.applied_log = []   # (key, sequence) in the order applied
        self.stats = {"records": 0, "applied": 0, "duplicates": 0, "gaps": 0, "undecodable": 0}

    def offer(self, event):
        """One decoded LifecycleEvent, in partition order."""
        self.stats["records"] += 1
        md = event.metadata
        key = md.trainee_id or md.aggregate_id
        if md.event_id in self.seen_ids or md.sequence <= self.applied_seq.get(key, 0) \
                or md.sequence in self.held.get(key, {}):
            self.stats["duplicates"] += 1
            return
        self.seen_ids.add(md.event_id)
        self.held.setdefault(key, {})[md.sequence] = event
        self._drain(key)

    def _drain(self, key, force=False):
        pending = self.held.get(key, {})
        while pending:
            nxt = self.applied_seq.get(key, 0) + 1
            if nxt not in pending:
                if not force:
                    return
                nxt = min(pending)  # the gap never closed: apply in order anyway
                self.stats["gaps"] += 1
            self._apply(key, nxt, pending.pop(nxt))
        self.held.pop(key, None)

    def _apply(self, key, sequence, event):
        self.applied_seq[key] = sequence
        self.applied_log.append((key, sequence))
        self.stats["applied"] += 1
        body = event.WhichOneof("body")
        if body == "cohort_opened" or body == "cohort_changed":
            c = getattr(event, body).cohort
            self.cohort_names[c.cohort_id] = c.name
            return
        step = STEP_OF_BODY.get(body)
        if step is None:
            return  # catalogue or another service's event: not part of this funnel
        b = getattr(event, body)
        md = event.metadata
        occurred = datetime.datetime.fromtimestamp(md.occurred_at.seconds + md.occurred_at.nanos / 1e9,
                                                   tz=datetime.timezone.utc)
        day = occurred.astimezone(self.zone).date()
        j = self.journeys.setdefault((md.trainee_id, b.cohort_id), {})
        for stage, applies in (("applied", True), ("admitted_direct", step == ADMITTED),
                               ("confirmed", step == CONFIRMED), ("enrolment_withdrawn", step == ENROLMENT_WITHDRAWN)):
            if applies and (stage not in j or day < j[stage]):
                j[stage] = day

    def finish(self):
        for key in list(self.held):
            self._drain(key, force=True)

    @staticmethod
    def stages(j):
        """Later stages imply earlier ones, dated at the earliest evidence."""
        def earliest(*days):
            days = [d for d in days if d is not None]
            return min(days) if days else None
        enrolled = earliest(j.get("confirmed"), j.get("enrolment_withdrawn"))
        admitted = earliest(j.get("admitted_direct"), enrolled)
        applied = earliest(j.get("applied"), admitted)
        return {"applied": applied, "admitted": admitted, "enrolled": enrolled}

    def rows(self):
        """[date, cohort_id, cohort_name, applied, admitted, enrolled], by cohort then date."""
        changes = {}  # cohort -> day -> [d_applied, d_admitted, d_enrolled]
        for (_, cohort), j in self.journeys.items():
            for i, day in enumerate(self.stages(j).values()):
                if day is not None:
                    changes.setdefault(cohort, {}).setdefault(day, [0, 0, 0])[i] += 1
        out = []
        for cohort in sorted(changes):
            total = [0, 0, 0]
            for day in sorted(changes[cohort]):
                total = [t + d for t, d in zip(total, changes[cohort][day])]
                out.append([day.isoformat(), cohort, self.cohort_names.get(cohort, "")] + total)
        return out


def read_topic(bootstrap, topic, on_event, on_undecodable, lifecycle_pb2, timeout_s=30.0):
    """Reads every partition of `topic` from the beginning up to its end as it
    was at the start (high watermarks), with assign(): no consumer group."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING, KafkaException

    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"cohort-funnel-{os.getpid()}",  # required by the client; never joined
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })
    try:
        meta = consumer.list_topics(topic, timeout=timeout_s)
        t = meta.topics.get(topic)
        if t is None or t.error is not None:
            raise KafkaException(f"topic {topic}: {t.error if t else 'not found'}")
        end = {}
        for p in sorted(t.partitions):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)
            if high > low:
                end[p] = high
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in end])
        lifecycle = lifecycle_pb2.LifecycleEvent
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=timeout_s)
        while end:
            msg = consumer.poll(1.0)
            if msg is None:
                if datetime.datetime.now() > deadline:
                    raise TimeoutError(f"no record for {timeout_s} s with partitions {sorted(end)} unfinished")
                continue
            deadline = datetime.datetime.now() + datetime.timedelta(seconds=timeout_s)
            if msg.error():
                raise KafkaException(msg.error())
            if msg.partition() in end:
                event = lifecycle()
                try:
                    event.ParseFromString(msg.value())
                    ok = event.HasField("metadata") and event.metadata.event_id
                except Exception:  # a value that is not a LifecycleEvent
                    ok = False
                if ok:
                    on_event(event)
                else:
                    on_undecodable(msg)
                if msg.offset() + 1 >= end[msg.partition()]:
                    del end[msg.partition()]
    finally:
        consumer.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--bootstrap", help="Kafka bootstrap servers, host:port[,host:port]")
    src.add_argument("--bootstrap-file", help="a file holding the bootstrap string (the embedded broker's)")
    ap.add_argument("--topic", default="jobintech.enrollment.v1")
    ap.add_argument("--out", default="-", help="CSV file (default: stdout)")
    ap.add_argument("--proto-dir", default=DEFAULT_PROTO, help="the contracts' proto/ folder")
    ap.add_argument("--timezone", default="Africa/Casablanca", help="the day of an event (default: the programme's)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds without a record before giving up")
    args = ap.parse_args()
    bootstrap = args.bootstrap or open(args.bootstrap_file).read().strip()
    pb = load_contracts(args.proto_dir)
    funnel = Funnel(args.timezone)

    def undecodable(_msg):
        funnel.stats["undecodable"] += 1

    read_topic(bootstrap, args.topic, funnel.offer, undecodable, pb, args.timeout)
    funnel.finish()
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["date", "cohort_id", "cohort_name", "applied", "admitted", "enrolled"])
    w.writerows(funnel.rows())
    if out is not sys.stdout:
        out.close()
    print(json.dumps({"topic": args.topic, **funnel.stats, "journeys": len(funnel.journeys)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
