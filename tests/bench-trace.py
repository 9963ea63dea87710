#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench-trace.py: what tracing costs a Python program. Times N small
sendto() calls (tests/trace/sendto_loop.py times its own loop) three ways,
in one run so the ratios compare like with like:
  bare      python3 alone
  preload   with the preload library, reports written to /dev/null
  lab       socklens-lab --trace: the preload library, the lab reading every
            report, capturing every packet and writing the pcapng stream
Prints TAP with the seconds and the ratios to bare.

Usage: bench-trace.py SOCKLENS_LAB PRELOAD SENDTO_LOOP [N]
"""

import os
import re
import subprocess
import sys


def python():
    return "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else "python3"


def seconds_in(text):
    m = re.search(rb"seconds ([0-9.]+)", text)
    return float(m.group(1)) if m else None


def main():
    lab, preload, loop = sys.argv[1:4]
    n = sys.argv[4] if len(sys.argv) > 4 else "100000"
    root = os.path.dirname(os.path.abspath(loop))

    bare = seconds_in(subprocess.run([python(), loop, n], capture_output=True).stdout)
    env = dict(os.environ, LD_PRELOAD=preload, SOCKLENS_REPORT_FD="3",
               SOCKLENS_TRACE_ROOTS=root)
    with open(os.devnull, "wb") as sink:
        pre = subprocess.run([python(), loop, n], capture_output=True, env=env,
                             pass_fds=(sink.fileno(),) if sink.fileno() == 3 else (),
                             preexec_fn=lambda: os.dup2(sink.fileno(), 3))
    preloaded = seconds_in(pre.stdout)
    # the lab's stream carries the program's stdout as CONSOLE records
    # (its stdin stays open: end of input means the app went away)
    proc = subprocess.Popen([lab, "--trace", "--timeout", "600", "--quiet", "--",
                             f"{python()} {loop} {n}"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stream = proc.stdout.read()
    proc.stdin.close()
    proc.wait()
    traced = seconds_in(stream)

    ok = None not in (bare, preloaded, traced)
    print("1..1")
    print(("ok" if ok else "not ok") + f" 1 - {n} sendto(): bare {bare} s, preload {preloaded} s, "
          f"lab {traced} s")
    if ok:
        print(f"# preload / bare = {preloaded / bare:.2f}x, lab / bare = {traced / bare:.2f}x")
    return 0 if ok else 1


sys.exit(main())
