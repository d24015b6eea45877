#!/usr/bin/env python3
"""The dashboard page in real headless Chromium (Debian's chromium), driven
over the DevTools protocol (a minimal WebSocket client, standard library
only):

  - the page loads with no console error and no uncaught exception, under the
    listener's strict Content-Security-Policy, and offers public views only;
  - all 12 regions are shown, keyed by their ISO codes;
  - it updates live (Server-Sent Events) after new events are produced;
  - the language switch turns it Arabic, right to left; "<5" still reads "<5"
    (bidi isolation), hidden figures explain why in Arabic, the region grid
    keeps west left and north up in both languages;
  - on a 390 x 844 phone the page is no wider than the screen and the key
    figures are on the first screen, in both languages;
  - screenshots (French and Arabic) are saved under the build folder.

Usage: page_check.py --broker BIN --aggregator BIN --producer BIN
                     [--chromium /usr/bin/chromium] --out DIR
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse


class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol (text frames)."""

    def __init__(self, url, timeout=30):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise RuntimeError(f"websocket handshake failed: {status!r}")
        self.buf = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x8:
                raise RuntimeError("websocket closed by peer")
            if opcode == 0x9:  # ping
                self.sock.sendall(bytes([0x8A, 0x80 | len(data)]) + b"\0\0\0\0" + data)
                continue
            message += data
            if fin:
                return message.decode()


class Browser:
    """One page of a headless Chromium, over the DevTools protocol."""

    def __init__(self, chromium, profile):
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-extensions",
             "--no-first-run", "--no-default-browser-check",
             f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "--window-size=1280,2400", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        ws_url = None
        deadline = time.time() + 30
        while time.time() < deadline and ws_url is None:
            line = self.proc.stderr.readline()
            if not line:
                time.sleep(0.05)
                continue
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                ws_url = m.group(1)
        if ws_url is None:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 2400, "deviceScaleFactor": 1, "mobile": False},
                  session=True)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                      session=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate {expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expression, timeout=30, what=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.eval(expression):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what or expression}")

    def viewport(self, width, height, mobile):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
                  session=True)

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                      session=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def errors(self):
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')} "
                           f"{p['exceptionDetails'].get('exception', {}).get('description', '')}")
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description")))
                                                        for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def check_geography(browser, lang):
    """The region grid is a map: west stays left and north stays up in both
    languages (it must not mirror with the text direction)."""
    pos = browser.eval("""Object.fromEntries([...document.querySelectorAll('#regions [data-region]')]
        .map(e => { const r = e.getBoundingClientRect(); return [e.dataset.region, [r.left, r.top]]; }))""")
    west_east = [("MA-01", "MA-02"), ("MA-04", "MA-03"), ("MA-06", "MA-05"), ("MA-05", "MA-08"),
                 ("MA-07", "MA-09")]
    for west, east in west_east:
        assert pos[west][0] < pos[east][0], f"{lang}: {west} is not west of {east}: {pos}"
    assert pos["MA-01"][1] < pos["MA-12"][1], f"{lang}: MA-01 is not north of MA-12"


def check_phone_width(browser, out, lang):
    """At 390 x 844 the document is no wider than the screen."""
    browser.viewport(390, 844, True)
    time.sleep(0.3)
    width = browser.eval("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    inner = browser.eval("window.innerWidth")
    browser.screenshot(os.path.join(out, f"aggregator-dashboard-phone-{lang}.png"))
    assert width <= inner, f"{lang}: the page is {width}px wide on a {inner}px screen"
    first = browser.eval("(() => { const t = document.getElementById('tiles').getBoundingClientRect();"
                         " return t.top; })()")
    assert first < 844, f"{lang}: the key figures start below the first screen ({first}px)"
    browser.viewport(1280, 2400, False)
    time.sleep(0.2)


def wait_log_field(log, message, field, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        j = json.loads(line)
                    except ValueError:
                        continue
                    if j.get("msg") == message and field in j:
                        return j[field]
        time.sleep(0.05)
    raise RuntimeError(f"no '{message}' line in {log}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--broker", required=True)
    ap.add_argument("--aggregator", required=True)
    ap.add_argument("--producer", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not os.path.exists(args.chromium):
        print(f"page_check: SKIPPED, {args.chromium} not found "
              "(scripts/install-deps.sh installs chromium)")
        return 77
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="jit-page-check-")
    procs = []
    browser = None
    try:
        boot = os.path.join(tmp, "bootstrap")
        broker_log = open(os.path.join(tmp, "broker.log"), "w")
        procs.append(subprocess.Popen([args.broker, "--partitions=4", f"--bootstrap_file={boot}"],
                                      stdout=broker_log, stderr=subprocess.STDOUT))
        deadline = time.time() + 30
        while not (os.path.exists(boot) and os.path.getsize(boot) > 0):
            if time.time() > deadline:
                raise RuntimeError("broker did not start")
            time.sleep(0.05)
        bootstrap = open(boot).read().strip()
        agg_log_path = os.path.join(tmp, "aggregator.log")
        agg_log = open(agg_log_path, "w")
        procs.append(subprocess.Popen(
            [args.aggregator, "--grpc_address=127.0.0.1:0", "--admin_address=127.0.0.1:0",
             "--http_address=127.0.0.1:0", f"--db_path={tmp}/agg.db",
             f"--kafka_bootstrap={bootstrap}", "--unready_grace=0s",
             "--watch_min_interval=100ms",
             # Only the public HTTP page is checked here: no gRPC client.
             "--insecure_plaintext_for_tests"],
            stdout=agg_log, stderr=subprocess.STDOUT))
        port = wait_log_field(agg_log_path, "aggregator service ready", "http_port")
        url = f"http://127.0.0.1:{port}/"
        subprocess.run([args.producer, bootstrap, "0", "60"], check=True, stdout=subprocess.DEVNULL)

        browser = Browser(args.chromium, os.path.join(tmp, "profile"))
        browser.call("Page.navigate", {"url": url + "?check=1"}, session=True)
        browser.wait_for("document.body && document.body.dataset.ready === 'true'",
                         what="the page to be ready")
        error = browser.eval("document.body.dataset.error || ''")
        assert not error, f"page error: {error}"
        # The page runs under a strict Content-Security-Policy (no inline
        # script or style): any violation is a console error, checked below.
        import urllib.request
        with urllib.request.urlopen(url) as resp:
            csp = resp.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, f"CSP: {csp!r}"
        # Public views only: the page offers no internal view.
        assert browser.eval("document.getElementById('f-visibility') === null"), \
            "the public page offers an internal view"
        browser.wait_for("document.querySelector('[data-metric=applicants] .value')"
                         " && document.querySelector('[data-metric=applicants] .value')"
                         ".textContent.trim() === '60'", what="60 applicants")
        codes = browser.eval("[...document.querySelectorAll('#regions [data-region]')]"
                             ".map(e => e.dataset.region)")
        expected = [f"MA-{i:02d}" for i in range(1, 13)]
        assert sorted(codes) == expected, f"regions shown: {codes}"
        tiles = browser.eval("document.querySelectorAll('#tiles .tile').length")
        assert tiles >= 10, f"only {tiles} tiles"
        version = int(browser.eval("document.body.dataset.version"))
        # Every figure says which definition it comes from.
        untitled = browser.eval("[...document.querySelectorAll('[data-metric]')]"
                                ".filter(e => !e.title).length")
        assert untitled == 0, f"{untitled} figures without a definition tooltip"
        browser.screenshot(os.path.join(args.out, "aggregator-dashboard-fr.png"))

        # Live: new events arrive over SSE without a reload.
        browser.eval("window.__loaded_at = performance.timeOrigin")
        subprocess.run([args.producer, bootstrap, "60", "72"], check=True,
                       stdout=subprocess.DEVNULL)
        browser.wait_for(f"Number(document.body.dataset.version) > {version}"
                         " && document.querySelector('[data-metric=applicants] .value')"
                         ".textContent.trim() === '72'", what="the live update (72 applicants)")
        assert browser.eval("window.__loaded_at === performance.timeOrigin"), "page reloaded"

        # Arabic, right to left.
        browser.eval("document.getElementById('btn-lang').click()")
        browser.wait_for("document.documentElement.dir === 'rtl'"
                         " && document.documentElement.lang === 'ar'", what="Arabic RTL")
        browser.wait_for("/[\\u0600-\\u06FF]/.test(document.querySelector("
                         "'#regions [data-region=MA-05] .name').textContent)",
                         what="Arabic region names")
        title = browser.eval("document.querySelector('#tiles .tile .label').textContent")
        assert re.search("[\u0600-\u06FF]", title), f"tile title not Arabic: {title}"
        time.sleep(0.5)
        browser.screenshot(os.path.join(args.out, "aggregator-dashboard-ar.png"))

        # "<5" reads "<" then "5" in Arabic too (bidi isolation): the first
        # character is drawn left of the second.
        order = browser.eval("""(() => {
            const b = [...document.querySelectorAll('bdi.why')].find(e => /^<\\d/.test(e.textContent));
            if (!b) return 'none';
            const r = document.createRange(), t = b.firstChild;
            r.setStart(t, 0); r.setEnd(t, 1); const lt = r.getBoundingClientRect().left;
            r.setStart(t, 1); r.setEnd(t, 2); const five = r.getBoundingClientRect().left;
            return lt < five ? 'ok' : `reversed (${b.textContent})`; })()""")
        assert order == "ok", f"a small-count mark in Arabic: {order}"
        # A hidden figure says why, in Arabic.
        why = browser.eval("(document.querySelector('bdi.why') || {}).title || ''")
        assert re.search("[\u0600-\u06FF]", why), f"no Arabic explanation: {why!r}"
        check_geography(browser, "ar")
        check_phone_width(browser, args.out, "ar")
        browser.viewport(1280, 2400, False)
        browser.eval("document.getElementById('btn-lang').click()")
        browser.wait_for("document.documentElement.dir === 'ltr'", what="back to French")
        check_geography(browser, "fr")
        check_phone_width(browser, args.out, "fr")

        errors = browser.errors()
        assert not errors, "console errors:\n  " + "\n  ".join(errors)
        print(f"page check passed; screenshots in {args.out}")
        return 0
    except (AssertionError, RuntimeError) as e:
        print(f"page check FAILED: {e}", file=sys.stderr)
        if browser is not None:
            for err in browser.errors():
                print(f"  {err}", file=sys.stderr)
        agg = os.path.join(tmp, "aggregator.log")
        if os.path.exists(agg):
            print(open(agg).read()[-3000:], file=sys.stderr)
        return 1
    finally:
        if browser is not None:
            browser.close()
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
