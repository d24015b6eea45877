#!/usr/bin/python3
"""compare_with_aggregator.py FUNNEL_CSV AGGREGATOR_JSON: the consumer's CSV
(end counts per cohort, and their sum) against the aggregator's internal
figures {"<cohort>": [applicants, admitted, enrolled], "": national}; also
checks that each cohort's rows have increasing dates, cumulative counts that
never go down, and applied >= admitted >= enrolled. Exit 1 on any mismatch."""
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
agg = json.load(open(sys.argv[2]))
assert rows, "empty CSV"
last, days = {}, {}
for r in rows:
    c = r["cohort_id"]
    counts = [int(r["applied"]), int(r["admitted"]), int(r["enrolled"])]
    assert c not in days or r["date"] > days[c], f"{c}: dates not increasing at {r['date']}"
    assert c not in last or all(a >= b for a, b in zip(counts, last[c])), f"{c}: a cumulative count went down on {r['date']}"
    assert counts[0] >= counts[1] >= counts[2], f"{c} {r['date']}: applied >= admitted >= enrolled broken: {counts}"
    days[c], last[c] = r["date"], counts
national = [sum(v[i] for v in last.values()) for i in range(3)]
problems = []
for c, want in sorted(agg.items()):
    got = national if c == "" else last.get(c, [0, 0, 0])
    if got != want:
        problems.append(f"cohort {c or '(national)'}: consumer {got} (applied, admitted, enrolled), aggregator {want}")
for c in sorted(set(last) - set(agg)):
    problems.append(f"cohort {c} is in the CSV but unknown to the aggregator")
for p in problems:
    print("MISMATCH", p, file=sys.stderr)
if not problems:
    print(f"funnel equals the aggregator's figures: {len(last)} cohorts, {len(rows)} rows, national {national}",
          file=sys.stderr)
sys.exit(1 if problems else 0)
