"""Opens pages in headless Chromium, as a reviewer's browser would, over the DevTools protocol
on a pipe (no network, no extra library), and checks each from the rendered document:
browser.py [--en] [--shot DIR] PAGE...

For each page: the layout fits a 1280-pixel-wide window (no element's right edge beyond it,
no sideways scrolling), the document holds no script, the text is Chinese (at least 20 CJK
characters, lang zh-CN; with --en, lang en: a page written with --lang en), a CJK font is
there to draw it (names stay Chinese), and BLOCK findings are marked when
the page has any. Prints one line a page ("ok PAGE" or "FAIL PAGE: why") and exits 1 when one
fails. With --shot, also writes DIR/NAME.png, the page as rendered 1280 pixels wide."""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

CHECK = r"""
(() => {
  const width = 1280;
  let over = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) over.push(e.tagName + (e.id ? '#' + e.id : ''));
  }
  const text = document.body ? document.body.innerText : '';
  const cjk = (text.match(/[\u4e00-\u9fff]/g) || []).length;
  return JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth,
    over: over.slice(0, 5), nover: over.length,
    scripts: document.scripts.length,
    lang: document.documentElement.lang, cjk: cjk,
    font: document.fonts.check('16px "Noto Sans CJK SC"'),
    blockRules: document.querySelectorAll('tr.block').length,
    blockMarks: Array.from(document.querySelectorAll('tr.block td'))
      .filter(td => getComputedStyle(td).backgroundColor !== 'rgba(0, 0, 0, 0)').length,
  });
})()
"""


class Browser:
    def __init__(self):
        # Chromium makes its own temporary folders (a socket among them, whose path must fit
        # in 108 bytes) in $TMPDIR: it gets the profile's folder, removed with it, so that a
        # killed Chromium leaves nothing behind; a long $TMPDIR gives way to /tmp
        base = tempfile.gettempdir()
        self.profile = tempfile.mkdtemp(prefix="xv-chromium-",
                                        dir=base if len(base) <= 40 else "/tmp")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        # the Debian wrapper script is left out: the binary itself keeps fds 3 and 4
        exe = next((p for p in ("/usr/lib/chromium/chromium",) if os.path.exists(p)), None) \
            or shutil.which("chromium")
        if not exe:
            raise SystemExit("browser: chromium is not installed (scripts/deps.sh installs it)")

        # the protocol's pipe is fds 3 (commands in) and 4 (replies out); subprocess closes the
        # fds not kept after this runs, so 3 and 4 are the ones kept
        def fds():
            r, w = os.dup(to_r), os.dup(from_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
             "--window-size=1280,900", "--hide-scrollbars", "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds, env=dict(os.environ, TMPDIR=self.profile),
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self.reader = os.fdopen(self.from_r, "rb")
        self.next = 0
        self.buf = b""
        targets = self.call("Target.getTargets")["targetInfos"]
        page = [t for t in targets if t["type"] == "page"][0]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": page["targetId"], "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)

    def send(self, method, params=None, session=False):
        self.next += 1
        msg = {"id": self.next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        return self.next

    def recv(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_r, 65536)
            if not chunk:
                raise SystemExit("browser: chromium closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=False, until=None):
        want = self.send(method, params, session)
        result, seen = None, until is None
        while result is None or not seen:
            m = self.recv()
            if m.get("id") == want:
                if "error" in m:
                    raise SystemExit("browser: %s: %s" % (method, m["error"]))
                result = m["result"]
            elif until and m.get("method") == until:
                seen = True
        return result

    def close(self):
        # Chromium's own processes are in its process group: all of them go at once, so that
        # none writes into the profile after it is removed
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    args = sys.argv[1:]
    shots, english = None, args[:1] == ["--en"]
    if english:
        args = args[1:]
    if args[:1] == ["--shot"]:
        shots, args = args[1], args[2:]
    b = Browser()
    failed = 0
    try:
        for page in args:
            url = "file://" + os.path.abspath(page)
            b.call("Page.navigate", {"url": url}, session=True, until="Page.loadEventFired")
            r = b.call("Runtime.evaluate", {"expression": CHECK, "returnByValue": True},
                       session=True)
            got = json.loads(r["result"]["value"])
            why = []
            if got["scrollWidth"] > 1280 or got["nover"]:
                why.append("overflows 1280 px (scrollWidth %d; %s)" % (got["scrollWidth"],
                                                                      ", ".join(got["over"])))
            if got["scripts"]:
                why.append("%d script element(s)" % got["scripts"])
            if english and got["lang"] != "en":
                why.append("not English (lang %r)" % got["lang"])
            elif not english and (got["lang"] != "zh-CN" or got["cjk"] < 20):
                why.append("not Chinese (lang %r, %d CJK characters)" % (got["lang"], got["cjk"]))
            if not got["font"]:
                why.append("no CJK font to draw it")
            if got["blockRules"] and got["blockMarks"] < got["blockRules"]:
                why.append("block findings not marked")
            print(("FAIL %s: %s" % (page, "; ".join(why))) if why else "ok %s" % page)
            failed += bool(why)
            if shots:
                b.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900,
                       "deviceScaleFactor": 1, "mobile": False}, session=True)
                png = b.call("Page.captureScreenshot", {"captureBeyondViewport": True,
                             "format": "png"}, session=True)["data"]
                name = os.path.splitext(os.path.basename(page))[0] + ".png"
                with open(os.path.join(shots, name), "wb") as f:
                    f.write(base64.b64decode(png))
    finally:
        b.close()
    sys.exit(1 if failed else 0)


main()
