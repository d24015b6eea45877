"""Measures one replay of the lifecycle topics, from outside the process.

  replay.py aggregator|plain|empty --bin BUILD_DIR --bootstrap HOST:PORT
            --expect N --work DIR [-- extra aggregator flags]

aggregator: starts jit-aggregator (fresh checkpoint database) and polls its
  admin /metrics every 20 ms until jit_aggregator_events_total (every record
  read, whatever its outcome) reaches N; then reads the process's CPU time
  (/proc/<pid>/stat utime+stime) and memory (/proc/<pid>/status VmRSS,
  VmHWM), and kills it with SIGKILL (its final checkpoint is not part of the
  figure and would take seconds on a big state).
plain: runs jit-bench-consume until it has read N records; CPU time from the
  child's rusage (os.wait4).
empty: starts jit-aggregator on topics without records and reads its memory
  after it is ready and idle for 1 s (the baseline of the memory figure).

Time runs from the spawn of the process. Prints one JSON line.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
child = None


def stop_child(*_):
    if child is not None and child.poll() is None:
        child.kill()
        child.wait()
    sys.exit(130)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK  # utime, stime


def memory_kb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def wait_ready(log_path, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"aggregator exited ({proc.returncode}); see {log_path}")
        with open(log_path, errors="replace") as f:
            m = re.search(r'"aggregator service ready".*?"admin_port":(\d+)', f.read())
        if m:
            return int(m.group(1))
        time.sleep(0.01)
    raise SystemExit(f"aggregator not ready; see {log_path}")


def events_read(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        total = 0.0
        for line in r.read().decode().splitlines():
            if line.startswith("jit_aggregator_events_total{"):
                total += float(line.rsplit(" ", 1)[1])
        return int(total)


def main():
    global child
    signal.signal(signal.SIGTERM, stop_child)
    signal.signal(signal.SIGINT, stop_child)
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    kind = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    bin_dir, bootstrap, work = opts["--bin"], opts["--bootstrap"], opts["--work"]
    expect = int(opts.get("--expect", "0"))
    os.makedirs(work, exist_ok=True)
    result = {"kind": kind, "expect": expect, "flags": extra}
    if kind == "plain":
        start = time.monotonic()
        child = subprocess.Popen(
            [f"{bin_dir}/bench/jit-bench-consume", f"--bootstrap={bootstrap}",
             f"--expect={expect}"], stdout=subprocess.PIPE)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"jit-bench-consume failed ({child.returncode})")
        inner = json.loads(out)
        result.update(events=inner["events"], seconds=seconds,
                      cpu_s=usage.ru_utime + usage.ru_stime,
                      inner=inner)
    else:
        log_path = os.path.join(work, "aggregator.log")
        db = os.path.join(work, "aggregator.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        start = time.monotonic()
        with open(log_path, "w") as log:
            child = subprocess.Popen(
                [f"{bin_dir}/services/aggregator/jit-aggregator",
                 "--grpc_address=127.0.0.1:0", "--admin_address=127.0.0.1:0",
                 "--http_address=127.0.0.1:0", f"--db_path={db}",
                 f"--kafka_bootstrap={bootstrap}", "--unready_grace=0s",
                 "--log_level=info"] + extra, stdout=log, stderr=subprocess.STDOUT)
        try:
            port = wait_ready(log_path, child)
            ready_s = time.monotonic() - start
            if kind == "empty":
                time.sleep(1)
                n = events_read(port)
            else:
                deadline = time.monotonic() + float(opts.get("--timeout", "1800"))
                n = events_read(port)
                while n < expect:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"aggregator read {n} of {expect} records in time")
                    time.sleep(0.02)
                    n = events_read(port)
            seconds = time.monotonic() - start
            cpu = cpu_seconds(child.pid)
            rss, hwm = memory_kb(child.pid)
            result.update(events=n, seconds=seconds, ready_s=ready_s, cpu_s=cpu,
                          rss_kb=rss, hwm_kb=hwm)
        finally:
            child.kill()
            child.wait()
    if result["events"] and kind != "empty":
        result["events_per_s"] = result["events"] / result["seconds"]
        result["cpu_s_per_m"] = result["cpu_s"] / result["events"] * 1e6
    print(json.dumps(result))


if __name__ == "__main__":
    main()
