"""Turns bench/run.sh's raw JSON lines into the table and the JSON file.

Each repeat measures the baseline and the workload back to back, in the same
run; the ratio is taken per repeat, then the median and spread (min-max) over
repeats are reported.
"""
import json
import statistics
import sys


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def fmt(s, digits=3):
    if s is None:
        return "-"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def med(values):
    return statistics.median(values) if values else 0.0


def write_path(rows):
    by = {}
    for r in rows:
        by.setdefault((r["synchronous"], r["repeat"]), {})[r["result"]["rpc"]] = r["result"]
    out = {}
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
        if ratios:
            out[sync] = {"ratio": spread(ratios), "submit_per_s_median": med(submit_tps),
                         "health_per_s_median": med(health_tps),
                         "submit_p50_us_median": med(p50), "submit_p99_us_median": med(p99),
                         "errors": errors, "target_ratio": 0.5}
    return out


def fold(rows):
    by = {}
    for r in rows:
        by.setdefault(r["repeat"], {})[r["result"]["kind"]] = r
    ratios, cpu_ratios, agg_eps, plain_eps, agg_cpu, plain_cpu = [], [], [], [], [], []
    size = trainees = 0
    for _, pair in sorted(by.items()):
        if "plain" not in pair or "aggregator" not in pair:
            continue
        a, p = pair["aggregator"]["result"], pair["plain"]["result"]
        size, trainees = pair["aggregator"]["size"], pair["aggregator"]["trainees"]
        ratios.append(a["events_per_s"] / p["events_per_s"])
        cpu_ratios.append(p["cpu_s_per_m"] / a["cpu_s_per_m"])
        agg_eps.append(a["events_per_s"])
        plain_eps.append(p["events_per_s"])
        agg_cpu.append(a["cpu_s_per_m"])
        plain_cpu.append(p["cpu_s_per_m"])
    if not ratios:
        return None
    return {"events": by[min(by)]["aggregator"]["result"]["events"], "size": size,
            "trainees": trainees, "ratio": spread(ratios), "cpu_ratio": spread(cpu_ratios),
            "aggregator_events_per_s": spread(agg_eps), "plain_events_per_s": spread(plain_eps),
            "aggregator_cpu_s_per_m": spread(agg_cpu), "plain_cpu_s_per_m": spread(plain_cpu),
            "aggregator_flags": by[min(by)]["aggregator"]["result"]["flags"],
            "target_ratio": 0.8}


def freshness(all_rows, probes):
    if not all_rows:
        return None
    out = {"variants": {}}
    for variant in sorted({r.get("variant", "default") for r in all_rows}):
        rows = [r for r in all_rows if r.get("variant", "default") == variant]
        out["variants"][variant] = freshness_variant(rows)
    out["probes"] = [{"rate": p["rate"], "achieved": p["result"]["achieved_rate"],
                      "skipped": p["result"]["skipped_over_concurrency"],
                      "call_p99_ms": p["result"]["call_p99_ms"]} for p in probes]
    return out


def freshness_variant(rows):
    res = [r["result"] for r in rows]
    ratio_p99 = [x["watch_p99_ms"] / x["kafka_p99_ms"] for x in res if x["kafka_p99_ms"] > 0]
    ratio_p50 = [x["watch_p50_ms"] / x["kafka_p50_ms"] for x in res if x["kafka_p50_ms"] > 0]
    return {
        "offered_rate": res[0]["offered_rate"], "target_rate": rows[0]["target_rate"],
        "watch_interval": rows[0]["watch_interval"],
        "achieved_rate": spread([x["achieved_rate"] for x in res]),
        "watch_p50_ms": spread([x["watch_p50_ms"] for x in res]),
        "watch_p99_ms": spread([x["watch_p99_ms"] for x in res]),
        "kafka_p50_ms": spread([x["kafka_p50_ms"] for x in res]),
        "kafka_p99_ms": spread([x["kafka_p99_ms"] for x in res]),
        "call_p50_ms": spread([x["call_p50_ms"] for x in res]),
        "call_p99_ms": spread([x["call_p99_ms"] for x in res]),
        "ratio_p99_watch_over_kafka": spread(ratio_p99) if ratio_p99 else None,
        "ratio_p50_watch_over_kafka": spread(ratio_p50) if ratio_p50 else None,
        "errors": sum(x["errors"] for x in res),
        "missing": sum(x["missing_watch"] + x["missing_kafka"] for x in res),
        "target_p99_ms": 50,
    }


def fanout(rows):
    if not rows:
        return None
    by_config = {}
    for r in rows:
        by_config.setdefault(r["config"], []).append(r)
    out = {"watch_interval": rows[0]["watch_interval"], "configs": {}}
    for config, rs in by_config.items():
        res = [r["result"] for r in rs]
        out["configs"][config] = {
            "subscribers": res[0]["subscribers"], "stalled": res[0]["stalled"],
            "messages_per_s": spread([x["messages_per_s"] for x in res]),
            "per_subscriber_per_s": spread([x["per_subscriber_per_s_median"] for x in res]),
            "server_cores": spread([x["server_cpu_s"] / x["seconds"] for x in res]),
            "messages_per_server_cpu_s": spread([x["messages_per_server_cpu_s"] for x in res]),
            "stalled_messages_total": max(x["stalled_messages_total"] for x in res),
        }
    # Stalled-subscriber proof: per repeat, readers' rate with one stalled
    # subscriber / without (10 readers both times).
    with_stalled = {r["repeat"]: r["result"] for r in by_config.get("stalled", [])}
    without = {r["repeat"]: r["result"] for r in by_config.get("10", [])}
    ratios = [with_stalled[k]["per_subscriber_per_s_median"] / without[k]["per_subscriber_per_s_median"]
              for k in with_stalled if k in without and without[k]["per_subscriber_per_s_median"] > 0]
    out["stalled_ratio"] = spread(ratios) if ratios else None
    # Marginal cost of fan-out: extra messages / extra server CPU between the
    # smallest and the largest subscriber count (same event stream), per
    # repeat; excludes the fold's own CPU.
    counts = sorted(int(c) for c in by_config if c.isdigit())
    if len(counts) >= 2:
        lo = {r["repeat"]: r["result"] for r in by_config[str(counts[0])]}
        hi = {r["repeat"]: r["result"] for r in by_config[str(counts[-1])]}
        marg = [(hi[k]["messages"] - lo[k]["messages"]) / (hi[k]["server_cpu_s"] - lo[k]["server_cpu_s"])
                for k in hi if k in lo and hi[k]["server_cpu_s"] > lo[k]["server_cpu_s"]]
        out["marginal_messages_per_cpu_s"] = spread(marg) if marg else None
        out["marginal_between"] = [counts[0], counts[-1]]
    out["target_messages_per_core"] = 100000
    return out


def scale(rows, empty):
    if not rows:
        return None
    empty_kb = empty[0]["result"]["rss_kb"] if empty else 0
    by_size = {}
    for r in rows:
        by_size.setdefault(r["size"], []).append(r)
    sizes = sorted(by_size)
    out = {"empty_rss_kb": empty_kb, "sizes": {}}
    for size in sizes:
        rs = by_size[size]
        res = [r["result"] for r in rs]
        trainees = rs[0]["trainees"]
        out["sizes"][size] = {
            "events": res[0]["events"], "trainees": trainees,
            "seconds": spread([x["seconds"] for x in res]),
            "seconds_per_m_events": spread([x["seconds"] / x["events"] * 1e6 for x in res]),
            "cpu_s_per_m_events": spread([x["cpu_s_per_m"] for x in res]),
            "rss_kb": spread([x["rss_kb"] for x in res]),
            "hwm_kb": spread([x["hwm_kb"] for x in res]),
            "bytes_per_trainee": spread([(x["rss_kb"] - empty_kb) * 1024 / trainees for x in res]),
        }
    lo, hi = sizes[0], sizes[-1]
    if hi != lo:
        # Per repeat: (time per M events at the largest size) / (at the smallest).
        lo_r = {r["repeat"]: r["result"] for r in by_size[lo]}
        hi_r = {r["repeat"]: r["result"] for r in by_size[hi]}
        lin = [(hi_r[k]["seconds"] / hi_r[k]["events"]) / (lo_r[k]["seconds"] / lo_r[k]["events"])
               for k in hi_r if k in lo_r]
        slope = [(hi_r[k]["rss_kb"] - lo_r[k]["rss_kb"]) * 1024 /
                 (by_size[hi][0]["trainees"] - by_size[lo][0]["trainees"]) for k in hi_r if k in lo_r]
        out["linearity_ratio"] = spread(lin)
        out["marginal_bytes_per_trainee"] = spread(slope)
        out["largest"], out["smallest"] = hi, lo
    out["target_bytes_per_trainee"] = 200
    return out


def main(raw_path, out_path):
    rows = [json.loads(line) for line in open(raw_path) if line.strip()]
    fig = lambda name: [r for r in rows if r.get("figure", "write_path") == name]  # noqa: E731
    report = {
        "write_path": write_path(fig("write_path")),
        "fold": fold(fig("fold")),
        "freshness": freshness(fig("freshness"), fig("freshness_probe")),
        "fanout": fanout(fig("fanout")),
        "scale": scale(fig("scale"), fig("scale_empty")),
        "raw": rows,
    }
    with open(out_path, "w") as f:
        json.dump(report, f, indent=2)

    print("| figure | ratio (median, min-max) | workload | baseline | detail | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    for sync, r in report["write_path"].items():
        label = "durable" if sync == "full" else "durability trade-off"
        print(f"| 1. write path, synchronous={sync} ({label}): SubmitApplication / health check "
              f"| {fmt(r['ratio'])} | {r['submit_per_s_median']:.0f}/s "
              f"| {r['health_per_s_median']:.0f}/s "
              f"| p50 {r['submit_p50_us_median'] / 1000:.2f} ms, p99 {r['submit_p99_us_median'] / 1000:.2f} ms "
              f"| ratio >= 0.5 |")
    f2 = report["fold"]
    if f2:
        print(f"| 2. fold rate ({f2['events']} events, {f2['trainees']} trainees): aggregator / plain consumer events/s "
              f"| {fmt(f2['ratio'])} | {f2['aggregator_events_per_s']['median']:.0f} ev/s, "
              f"{f2['aggregator_cpu_s_per_m']['median']:.2f} CPU-s/M "
              f"| {f2['plain_events_per_s']['median']:.0f} ev/s, {f2['plain_cpu_s_per_m']['median']:.2f} CPU-s/M "
              f"| CPU per event, plain / aggregator: {fmt(f2['cpu_ratio'])} | ratio >= 0.8 |")
    for variant, f3 in (report["freshness"] or {"variants": {}})["variants"].items():
        lag = "aggregator defaults" if variant == "default" else "--lag_interval=1h"
        print(f"| 3. freshness, {lag}, {f3['offered_rate']:.0f} calls/s offered (target 2000), watch interval "
              f"{f3['watch_interval']}: p99 ack->watch / ack->Kafka consumer "
              f"| {fmt(f3['ratio_p99_watch_over_kafka'], 2)} "
              f"| watch p50 {f3['watch_p50_ms']['median']:.1f} ms, p99 {fmt(f3['watch_p99_ms'], 1)} ms "
              f"| Kafka p50 {f3['kafka_p50_ms']['median']:.1f} ms, p99 {f3['kafka_p99_ms']['median']:.1f} ms "
              f"| call p50 {f3['call_p50_ms']['median']:.1f} ms, p99 {f3['call_p99_ms']['median']:.1f} ms; "
              f"achieved {f3['achieved_rate']['median']:.0f}/s; p50 ratio {fmt(f3['ratio_p50_watch_over_kafka'], 2)}"
              f"{'; unmatched ' + str(f3['missing']) if f3['missing'] else ''} "
              f"| p99 <= 50 ms |")
    f4 = report["fanout"]
    if f4:
        for config, c in f4["configs"].items():
            name = (f"{c['subscribers']} readers + {c['stalled']} stalled" if c["stalled"]
                    else f"{c['subscribers']} subscribers")
            print(f"| 4. watch fan-out, {name} (interval {f4['watch_interval']}): messages per server CPU-s "
                  f"| - | {c['messages_per_s']['median']:.0f} msg/s "
                  f"| {c['server_cores']['median']:.2f} server cores "
                  f"| {fmt(c['messages_per_server_cpu_s'], 0)} msg per CPU-s; "
                  f"{c['per_subscriber_per_s']['median']:.1f}/s per reader "
                  f"| >= 100000 per core |")
        if f4.get("marginal_messages_per_cpu_s"):
            lo, hi = f4["marginal_between"]
            print(f"| 4. fan-out marginal cost: extra messages per extra server CPU-s, {hi} vs {lo} subscribers "
                  f"| - | - | - | {fmt(f4['marginal_messages_per_cpu_s'], 0)} msg per CPU-s | >= 100000 per core |")
        if f4["stalled_ratio"]:
            print(f"| 4. stalled subscriber: readers' rate with / without one stalled "
                  f"| {fmt(f4['stalled_ratio'])} | - | - "
                  f"| the stalled client read {f4['configs']['stalled']['stalled_messages_total']} messages (by design) "
                  f"| ~1.0 |")
    f5 = report["scale"]
    if f5:
        for size, s in f5["sizes"].items():
            print(f"| 5. scale, {s['events']} events, {s['trainees']} trainees "
                  f"| - | {fmt(s['seconds_per_m_events'], 1)} s per M events "
                  f"| RSS {s['rss_kb']['median'] / 1024:.0f} MiB (empty {f5['empty_rss_kb'] / 1024:.0f} MiB), "
                  f"HWM {s['hwm_kb']['median'] / 1024:.0f} MiB "
                  f"| {fmt(s['bytes_per_trainee'], 0)} bytes per trainee; {s['cpu_s_per_m_events']['median']:.1f} CPU-s/M "
                  f"| <= 200 B/trainee |")
        if "linearity_ratio" in f5:
            print(f"| 5. linearity: time per M events at {f5['largest']} / at {f5['smallest']} "
                  f"| {fmt(f5['linearity_ratio'], 2)} | - | - "
                  f"| marginal {fmt(f5['marginal_bytes_per_trainee'], 0)} bytes per added trainee | ~1.0 |")
    print("JSON:", out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
