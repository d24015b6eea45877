"""Turns bench/run.sh's raw JSON lines into the table and the JSON file.

Each repeat measures the baseline (health check) and the workload back to
back on the same server and client; the ratio is taken per repeat, then the
median and spread (min-max) over repeats are reported.
"""
import json
import statistics
import sys


def main(raw_path, out_path):
    rows = [json.loads(line) for line in open(raw_path) if line.strip()]
    by = {}
    for r in rows:
        by.setdefault((r["synchronous"], r["repeat"]), {})[r["result"]["rpc"]] = r["result"]
    report = {"write_path": {}}
    for sync in ("full", "normal"):
        ratios, submit_tps, health_tps, p50, p99, errors = [], [], [], [], [], 0
        for (s, _), pair in sorted(by.items()):
            if s != sync or "health" not in pair or "submit" not in pair:
                continue
            h, w = pair["health"], pair["submit"]
            if h["throughput"] > 0:
                ratios.append(w["throughput"] / h["throughput"])
            submit_tps.append(w["throughput"])
            health_tps.append(h["throughput"])
            p50.append(w["p50_us"])
            p99.append(w["p99_us"])
            errors += w["errors"] + h["errors"]
        if not ratios:
            continue
        report["write_path"][sync] = {
            "repeats": len(ratios),
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "submit_per_s_median": statistics.median(submit_tps),
            "health_per_s_median": statistics.median(health_tps),
            "submit_p50_us_median": statistics.median(p50),
            "submit_p99_us_median": statistics.median(p99),
            "errors": errors,
            "target_ratio": 0.5,
        }
    report["raw"] = rows
    with open(out_path, "w") as f:
        json.dump(report, f, indent=2)

    print("| figure | synchronous | ratio (median, min-max) | workload/s | baseline/s | p50 ms | p99 ms | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for sync, r in report["write_path"].items():
        label = "durable" if sync == "full" else "durability trade-off"
        print(f"| write path: SubmitApplication vs health check | {sync} ({label}) "
              f"| {r['ratio_median']:.3f} ({r['ratio_min']:.3f}-{r['ratio_max']:.3f}) "
              f"| {r['submit_per_s_median']:.0f} | {r['health_per_s_median']:.0f} "
              f"| {r['submit_p50_us_median'] / 1000:.2f} | {r['submit_p99_us_median'] / 1000:.2f} "
              f"| >= 0.5 |")
    if any(r["errors"] for r in report["write_path"].values()):
        print("errors during the run: see", out_path)
    print("JSON:", out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
