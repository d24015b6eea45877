#!/usr/bin/python3
"""Checks the alerts, recording rules, runbook and Grafana dashboard of
deploy/k8s/base/monitoring against each other and against the code:

  1. `promtool check rules` on the PrometheusRule's spec, then
     `promtool test rules` with rules_test.yaml (a copy beside the spec);
  2. every alert has at least one promtool case where it fires and one where
     it does not; no case names an alert that does not exist;
  3. every alert has a `## <Alert>` section in the runbook, its runbook_url
     points at that section, and the runbook has no section for an alert that
     does not exist;
  4. every metric a rule or a dashboard query reads is exported by the code
     (the names registered with prometheus-cpp's Build*().Name("...") in the
     non-test sources of libs/, services/ and tools/; histograms with their
     _bucket/_sum/_count series), recorded by a rule, or Prometheus's own
     `up`; every label a query names is a label the code sets, a target label
     of the ServiceMonitors, or `le`;
  5. every family the code exports is charted by the dashboard;
  6. every dashboard query parses (promtool, as recording rules, with
     Grafana's variables replaced).

Usage: check_monitoring.py [--source-root DIR] [--rules F] [--tests F]
                           [--runbook F] [--dashboard F] [--skip-promtool-tests]
Exit 1 with one `FAIL:` line per problem.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# Labels the Prometheus Operator puts on every target of a ServiceMonitor,
# plus those of histograms. `service` is also the outbox's own label.
TARGET_LABELS = {"namespace", "job", "pod", "instance", "service", "endpoint", "container", "le",
                 "exported_service"}
# Series Prometheus writes itself for every target.
PROMETHEUS_SERIES = {"up"}
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
    "offset", "inf", "nan", "atan2",
}


def exported_metrics(source_root):
    """(names, label keys) registered by the code with prometheus-cpp."""
    names, labels = set(), set()
    build = re.compile(r'Build(Counter|Gauge|Histogram|Summary)\(\)\s*\.Name\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"\s*\)')
    # {"key", value} initialisers and labels["key"] = value assignments.
    label = re.compile(r'\{\s*"([a-z_][a-z0-9_]*)"\s*,|\[\s*"([a-z_][a-z0-9_]*)"\s*\]\s*=(?!=)')
    files = []
    for top in ("libs", "services", "tools"):
        for ext in ("cc", "h"):
            files += glob.glob(os.path.join(source_root, top, "**", f"*.{ext}"), recursive=True)
    for path in sorted(files):
        base = os.path.basename(path)
        if base.endswith(("_test.cc", "_test.h")) or "/testing/" in path or "/tests/" in path:
            continue
        text = open(path, encoding="utf-8").read()
        found = build.findall(text)
        for kind, name in found:
            names.add(name)
            if kind == "Histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
            if kind == "Summary":
                names.update({name + "_sum", name + "_count"})
        # Label keys: in the files that register metrics, and wherever the
        # outbox relay's metric_labels are set.
        if found or "metric_labels" in text:
            labels.update(a or b for a, b in label.findall(text))
    return names, labels


def families(names, all_names):
    out = set()
    for n in names:
        for suffix in ("_bucket", "_sum", "_count"):
            if n.endswith(suffix) and n[: -len(suffix)] in all_names:
                n = n[: -len(suffix)]
        out.add(n)
    return out


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


def parse_expr(expr):
    """(metric names, label names) a PromQL expression reads."""
    e = strip_strings(expr)
    labels = set()
    # Label matchers {a="x", b!~"y"} and grouping clauses by (a, b).
    for body in re.findall(r"\{([^}]*)\}", e):
        labels.update(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", body))
    e = re.sub(r"\{[^}]*\}", " ", e)
    for body in re.findall(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", e):
        labels.update(x.strip() for x in body.split(",") if x.strip())
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)  # range selectors and subqueries
    e = re.sub(r"\boffset\s+\S+", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in PROMQL_WORDS:
            continue
        names.add(word)
    return names, labels


GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "${__rate_interval}": "5m"}


def grafana_to_promql(expr):
    for k, v in GRAFANA_VARS.items():
        expr = expr.replace(k, v)
    return re.sub(r"\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?", r"\1", expr)


def dashboard_queries(dash):
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((f"panel '{p.get('title')}'", t["expr"]))
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            q = q.get("query") if isinstance(q, dict) else q
            m = re.match(r"\s*label_values\((.*),\s*[a-zA-Z_]+\s*\)\s*$", q or "")
            out.append((f"variable '{v.get('name')}'", m.group(1) if m else q))
    return out


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", default=ROOT)
    ap.add_argument("--rules", default=os.path.join(ROOT, "deploy/k8s/base/monitoring/prometheus-rules.yaml"))
    ap.add_argument("--tests", default=os.path.join(HERE, "rules_test.yaml"))
    ap.add_argument("--runbook", default=os.path.join(ROOT, "deploy/RUNBOOK.md"))
    ap.add_argument("--dashboard",
                    default=os.path.join(ROOT, "deploy/k8s/base/monitoring/jobintech-operations.json"))
    ap.add_argument("--skip-promtool-tests", action="store_true",
                    help="skip step 1 (the self-check cases that do not test it)")
    args = ap.parse_args()
    errors = []
    promtool = shutil.which("promtool")
    if not promtool:
        print("FAIL: promtool not found (run scripts/install-deps.sh: Debian package prometheus)")
        return 1

    rule_obj = yaml.safe_load(open(args.rules))
    spec = rule_obj["spec"]
    rules = [r for g in spec["groups"] for r in g["rules"]]
    alerts = {r["alert"]: r for r in rules if "alert" in r}
    recorded = {r["record"] for r in rules if "record" in r}
    tmp = tempfile.mkdtemp(prefix="jit-monitoring-")
    try:
        # 1. promtool
        with open(os.path.join(tmp, "rules.yaml"), "w") as f:
            yaml.safe_dump(spec, f, sort_keys=False)
        shutil.copy(args.tests, os.path.join(tmp, "rules_test.yaml"))
        if not args.skip_promtool_tests:
            rc, out = run([promtool, "check", "rules", "rules.yaml"], cwd=tmp)
            print(out)
            if rc:
                errors.append("promtool check rules failed")
            rc, out = run([promtool, "test", "rules", "rules_test.yaml"], cwd=tmp)
            print(out)
            if rc:
                errors.append("promtool test rules failed")

        # 2. a firing and a not-firing case per alert
        cases = yaml.safe_load(open(args.tests))
        firing, quiet = set(), set()
        for group in cases.get("tests", []):
            for t in group.get("alert_rule_test", []) or []:
                name = t.get("alertname")
                if name not in alerts:
                    errors.append(f"rules_test.yaml: a case for {name}, which is not an alert of the rules")
                (firing if t.get("exp_alerts") else quiet).add(name)
        for name in alerts:
            if name not in firing:
                errors.append(f"{name}: no promtool case where it fires")
            if name not in quiet:
                errors.append(f"{name}: no promtool case where it does not fire")

        # 3. runbook
        runbook = open(args.runbook, encoding="utf-8").read()
        sections = re.findall(r"^## (\w+)\s*$", runbook, re.M)
        alert_sections = {s for s in sections if s.startswith("Jit")}
        for name, r in alerts.items():
            if name not in alert_sections:
                errors.append(f"{name}: no '## {name}' section in {os.path.relpath(args.runbook, ROOT)}")
            want = f"deploy/RUNBOOK.md#{name.lower()}"
            got = (r.get("annotations") or {}).get("runbook_url")
            if got != want:
                errors.append(f"{name}: runbook_url is {got!r}, expected {want!r}")
            for key in ("summary", "description"):
                if not (r.get("annotations") or {}).get(key):
                    errors.append(f"{name}: no {key} annotation")
            if (r.get("labels") or {}).get("severity") not in ("warning", "critical"):
                errors.append(f"{name}: severity must be warning or critical")
        for s in sorted(alert_sections - set(alerts)):
            errors.append(f"runbook section '## {s}' names no alert of the rules")

        # 4. metric and label names
        exported, code_labels = exported_metrics(args.source_root)
        if not exported:
            errors.append(f"no metric registration found under {args.source_root}")
        known = exported | recorded | PROMETHEUS_SERIES
        known_labels = code_labels | TARGET_LABELS
        dash = json.load(open(args.dashboard))
        queries = [(f"rule {r.get('alert') or r.get('record')}", r["expr"]) for r in rules]
        queries += [(f"dashboard {w}", q) for w, q in dashboard_queries(dash)]
        used_in_dashboard = set()
        for where, q in queries:
            names, labels = parse_expr(grafana_to_promql(q))
            if not names:
                errors.append(f"{where}: reads no metric: {q}")
            for n in sorted(names - known):
                errors.append(f"{where}: metric {n} is not exported by the code nor recorded by a rule")
            for lab in sorted(labels - known_labels):
                errors.append(f"{where}: label {lab} is set neither by the code nor by the scrape")
            if where.startswith("dashboard"):
                used_in_dashboard |= names
        # recorded series count as charting what they are computed from
        expanded = set(used_in_dashboard)
        for r in rules:
            if "record" in r and r["record"] in used_in_dashboard:
                expanded |= parse_expr(r["expr"])[0]
                for r2 in rules:  # one more level (ratios over recorded rates)
                    if "record" in r2 and r2["record"] in expanded:
                        expanded |= parse_expr(r2["expr"])[0]

        # 5. every exported family charted
        charted = families(expanded & exported, exported)
        for fam in sorted(families(exported, exported) - charted):
            errors.append(f"dashboard: metric {fam} (exported by the code) is not charted")

        # 6. dashboard queries parse
        dq = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard:query_{i}", "expr": grafana_to_promql(q)}
            for i, (_, q) in enumerate(dashboard_queries(dash))]}]}
        with open(os.path.join(tmp, "dashboard.yaml"), "w") as f:
            yaml.safe_dump(dq, f)
        rc, out = run([promtool, "check", "rules", "dashboard.yaml"], cwd=tmp)
        if rc:
            print(out)
            errors.append("a dashboard query does not parse (promtool check rules above)")
        for p in dash.get("panels", []):
            for t in p.get("targets", []):
                if (t.get("datasource") or {}).get("uid") != "${datasource}":
                    errors.append(f"dashboard panel '{p.get('title')}': target not on the ${{datasource}} variable")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        return 1
    print(f"monitoring: {len(alerts)} alerts (each firing and not firing under promtool), {len(recorded)} recording "
          f"rules, {len(dashboard_queries(dash))} dashboard queries; {len(families(exported, exported))} metric families "
          f"exported by the code, all charted; every name read exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
