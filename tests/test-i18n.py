#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-i18n.py: the translations are complete and used. Prints TAP.

- every po/*.po in LINGUAS compiles with `msgfmt --check` and has no
  untranslated or fuzzy message;
- each .po has exactly the messages the sources mark now (xgettext over
  po/POTFILES.in): a string marked since, or one no longer there, fails;
- `LANG=zh_TW.UTF-8 socklens list` prints every scenario's zh_TW title, and
  `socklens run --help` its zh_TW option help (the uninstalled build finds
  build/po/zh_TW/LC_MESSAGES/socklens.mo); the zh_TW.UTF-8 locale must exist
  (dev.sh generates it), so a missing locale fails rather than skips;
- a diagram exported under zh_TW has its legend in Chinese, set in the
  Traditional Chinese face;
- the merged .desktop and metainfo carry the zh_TW name and summary.

Usage: test-i18n.py SOURCE_ROOT SOCKLENS DESKTOP METAINFO
"""

import os
import re
import subprocess
import sys
import tempfile

results = []


def check(ok, what):
    results.append((bool(ok), what))


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unquote(s):
    return re.sub(r'\\(.)', lambda m: ESCAPES.get(m.group(1), m.group(0)), s[1:-1])


def read_po(path):
    """{msgid: (msgstr, fuzzy)}, the header left out."""
    entries = {}
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n")
    for block in blocks:
        msg = {}
        key = None
        fuzzy = False
        for line in block.split("\n"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#"):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if m:
                key = m.group(1)
                msg[key] = unquote(m.group(2))
            elif line.startswith('"') and key:
                msg[key] += unquote(line)
        if msg.get("msgid"):
            entries[msg["msgid"]] = (msg.get("msgstr", msg.get("msgstr[0]", "")), fuzzy)
    return entries


def languages(root):
    with open(os.path.join(root, "po", "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f for w in line.split("#")[0].split()]


def check_catalogues(root, langs, marked):
    for lang in langs:
        po = os.path.join(root, "po", lang + ".po")
        run = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                             capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
        stats = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
        check(run.returncode == 0 and re.fullmatch(r"\d+ translated messages?\.", stats),
              f"{lang}.po: msgfmt --check passes with every message translated ({stats})")
        entries = read_po(po)
        fuzzy = [m for m, (_, f) in entries.items() if f]
        empty = [m for m, (s, _) in entries.items() if not s]
        check(not fuzzy and not empty,
              f"{lang}.po: no fuzzy ({len(fuzzy)}) or empty ({len(empty)}) message "
              + repr((fuzzy + empty)[:3]))
        missing = sorted(set(marked) - set(entries))
        stale = sorted(set(entries) - set(marked))
        check(not missing, f"{lang}.po has every string the sources mark: missing "
              f"{len(missing)} {missing[:3]!r} (meson compile -C build socklens-update-po)")
        check(not stale, f"{lang}.po has no string the sources dropped: {len(stale)} {stale[:3]!r}")


def marked_strings(root):
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "check.pot")
        run = subprocess.run(
            ["xgettext", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
             "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
             "--directory=" + root, "--files-from=" + os.path.join(root, "po", "POTFILES.in"),
             "--output=" + pot], capture_output=True, text=True)
        check(run.returncode == 0, "xgettext reads every file of POTFILES.in " + run.stderr[-300:])
        return read_po(pot) if run.returncode == 0 else {}


def check_potfiles(root):
    """Every source that marks a string is read for the catalogue: a file left
    out of POTFILES.in would keep its messages in English, silently."""
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    marking = re.compile(r'(\b_|\bN_|\bC_|\bNC_|\bg_dngettext) ?\(|translatable="yes"')
    missing = []
    for folder in ("app", "capture", "netcore", "netcore/scenarios", "ui", "ui/gtk"):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            rel = folder + "/" + name
            if name.endswith((".c", ".ui")) and rel not in listed:
                with open(os.path.join(root, rel), encoding="utf-8") as f:
                    if marking.search(f.read()):
                        missing.append(rel)
    check(not missing, f"po/POTFILES.in lists every source that marks strings: missing {missing}")


def zh_tw_locale_exists():
    names = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    return any(n.lower().replace("-", "") == "zh_tw.utf8" for n in names)


def scenario_titles(listing):
    """{name: title} of `socklens list`'s first block (the lecture examples follow a blank line)."""
    block = listing.split("\n\n")[0]
    return dict(line.split(None, 1) for line in block.splitlines() if line.strip())


def check_command_line(root, socklens):
    check(zh_tw_locale_exists(), "the zh_TW.UTF-8 locale is generated (./dev.sh deps)")
    zh = read_po(os.path.join(root, "po", "zh_TW.po"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    base.pop("DISPLAY", None)
    base.pop("WAYLAND_DISPLAY", None)
    c = subprocess.run([socklens, "list"], capture_output=True, text=True,
                       env=dict(base, LANG="C.UTF-8"))
    t = subprocess.run([socklens, "list"], capture_output=True, text=True,
                       env=dict(base, LANG="zh_TW.UTF-8"))
    english = scenario_titles(c.stdout)
    chinese = scenario_titles(t.stdout)
    check(c.returncode == 0 and t.returncode == 0 and len(english) >= 10
          and english.keys() == chinese.keys(),
          f"socklens list names the same {len(english)} scenarios in C and zh_TW")
    wrong = [name for name, title in english.items()
             if title not in zh or chinese.get(name) != zh[title][0]
             or not re.search(r"[\u4e00-\u9fff]", chinese.get(name, ""))]
    check(english and not wrong,
          f"LANG=zh_TW.UTF-8 socklens list prints each title in Chinese, as zh_TW.po has it: "
          f"wrong {wrong[:3]!r}")
    check("TCP 回音：串流 socket 模型" in t.stdout, "the tcp-echo title reads 「TCP 回音：串流 socket 模型」")
    check("課程範例（Python）" in t.stdout and "TCP 伺服器與用戶端" in t.stdout,
          "the lecture examples' heading and titles are in Chinese too")

    h = subprocess.run([socklens, "run", "--help"], capture_output=True, text=True,
                       env=dict(base, LANG="zh_TW.UTF-8"))
    check(h.returncode == 0 and zh["Hold each call until Enter is pressed"][0] in h.stdout
          and zh["NAME - run a scenario"][0] in h.stdout,
          "socklens run --help describes its options in Chinese")
    with tempfile.TemporaryDirectory() as tmp:
        # the lab's messages are kept in the recording, as the lab said them
        traced = os.path.join(tmp, "tcp.pcapng")
        tr = subprocess.run([socklens, "trace", "--example", "tcp", "--output", traced],
                            capture_output=True, text=True, env=dict(base, LANG="zh_TW.UTF-8"),
                            stdin=subprocess.DEVNULL)
        shown = subprocess.run([socklens, "show", traced], capture_output=True, text=True,
                               env=dict(base, LANG="C.UTF-8")).stdout
        shown_zh = subprocess.run([socklens, "show", traced], capture_output=True, text=True,
                                  env=dict(base, LANG="zh_TW.UTF-8")).stdout
    # the packet count travels in English (the app parses it) and is shown translated
    check(re.search(r"^# Capture: (\d+) packets, 0 lost$", shown, re.M)
          and re.search(r"^# 擷取：(\d+) 個封包，遺失 0 個$", shown_zh, re.M),
          "the lab's packet count reads in English under C, in Chinese under zh_TW")
    check(tr.returncode == 0 and "# tcp_client.py 以狀態 0 結束。" in shown
          and "# 在私有網路命名空間中擷取" in shown,
          "socklens-lab speaks zh_TW too: how it captures, and how each traced program ended")
    e = subprocess.run([socklens, "run", "no-such-scenario"], capture_output=True, text=True,
                       env=dict(base, LANG="zh_TW.UTF-8"))
    check(e.returncode == 2 and "沒有名為「no-such-scenario」的情境" in e.stderr,
          "an unknown scenario is reported in Chinese, exit status 2: " + e.stderr.strip())


def word_boxes(pdf):
    """[(x0, y0, x1, y1, word)] of a PDF, as pdftotext -bbox reads them."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
    return [(float(m[1]), float(m[2]), float(m[3]), float(m[4]), m[5]) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out)]


def check_header_words(pdf):
    """The column titles (the actors' names) sit above their addresses, not on
    them: a CJK face's taller lines once pushed a title into its address."""
    words = word_boxes(pdf)
    titles = [w for w in words if w[4] in ("client", "server")][:2]
    addresses = [w for w in words if re.fullmatch(r"[\d.]+:\d+", w[4])]
    # shrunk by 0.5 pt, so boxes that only touch do not count (as pdfwords.py)
    hits = [(t[4], a[4]) for t in titles for a in addresses
            if t[0] + 0.5 < a[2] - 0.5 and a[0] + 0.5 < t[2] - 0.5
            and t[1] + 0.5 < a[3] - 0.5 and a[1] + 0.5 < t[3] - 0.5]
    check(len(titles) == 2 and len(addresses) >= 2 and not hits
          and all(t[3] <= min(a[1] for a in addresses) + 0.5 for t in titles),
          f"the zh_TW diagram's column titles stand above their addresses, not on them: "
          f"{len(titles)} titles, {len(addresses)} addresses, overlapping {hits!r}")


def check_diagram(root, socklens):
    """A diagram exported under zh_TW: its words in Chinese, drawn with the
    Traditional Chinese face (Noto Sans CJK TC, not the Japanese forms)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    base.pop("DISPLAY", None)
    base.pop("WAYLAND_DISPLAY", None)
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "echo.pcapng")
        pdf = os.path.join(tmp, "echo.pdf")
        run = subprocess.run([socklens, "run", "tcp-echo", "--in-process", "-o", pcap],
                             capture_output=True, text=True, env=dict(base, LANG="C.UTF-8"))
        check(run.returncode == 0, "a tcp-echo run is recorded " + run.stderr[-200:])
        show = subprocess.run([socklens, "show", pcap, "-d", pdf], capture_output=True, text=True,
                              env=dict(base, LANG="zh_TW.UTF-8"))
        check(show.returncode == 0 and "已將時間軸繪製至" in show.stderr,
              "socklens show -d draws the diagram and says so in Chinese")
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        check("TCP 狀態" in text and "後）" in text,
              "the exported diagram's legend and durations are in Chinese")
        check_header_words(pdf)
        # what tcp-lossy's arrows are about is said in Chinese too, as its break is
        lossy = os.path.join(root, "tests", "fixtures", "correlation", "tcp-lossy.pcapng")
        lossy_pdf = os.path.join(tmp, "lossy.pdf")
        subprocess.run([socklens, "show", lossy, "-d", lossy_pdf], capture_output=True,
                       env=dict(base, LANG="zh_TW.UTF-8"))
        lossy_text = subprocess.run(["pdftotext", lossy_pdf, "-"], capture_output=True,
                                    text=True).stdout
        check("(已丟棄)" in lossy_text and "(重傳)" in lossy_text
              and "dropped" not in lossy_text and "(retransmission)" not in lossy_text,
              "tcp-lossy's diagram under zh_TW marks its lost and resent segments in Chinese")
        fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True).stdout
        check("CJKtc" in fonts and "CJKjp" not in fonts,
              "its Chinese is set in Noto Sans CJK TC (Traditional forms): " +
              " ".join(line.split()[0] for line in fonts.splitlines()[2:]))


def check_desktop_files(desktop, metainfo):
    with open(desktop, encoding="utf-8") as f:
        text = f.read()
    check("Comment[zh_TW]=" in text and "GenericName[zh_TW]=Socket 教學工具" in text,
          "the .desktop entry has its zh_TW GenericName and Comment")
    with open(metainfo, encoding="utf-8") as f:
        text = f.read()
    check(re.search(r'<summary xml:lang="zh[-_]TW">[^<]*socket', text) is not None,
          "the metainfo has its zh_TW summary")


def main():
    root, socklens, desktop, metainfo = sys.argv[1:5]
    marked = marked_strings(root)
    check(len(marked) > 100, f"the sources mark {len(marked)} strings")
    check_potfiles(root)
    check_catalogues(root, languages(root), marked)
    check_command_line(root, socklens)
    check_diagram(root, socklens)
    check_desktop_files(desktop, metainfo)

    print(f"1..{len(results)}")
    for i, (ok, what) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
