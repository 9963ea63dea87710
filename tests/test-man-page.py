#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-man-page.py: socklens(1) renders without a warning (groff -ww, man -l),
and says what the program does: every option `socklens run --help` and
`socklens show --help` list, the exit statuses of app/sl-exit.h, the version
`socklens --version` prints. Prints TAP.

Usage: test-man-page.py SOCKLENS MAN_PAGE SL_EXIT_H
"""

import os
import re
import shutil
import subprocess
import sys

results = []


def check(ok, what):
    results.append((bool(ok), what))


def main():
    socklens, page, exit_h = sys.argv[1:4]
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80")

    groff = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True,
                           text=True, env=env)
    check(groff.returncode == 0 and groff.stderr == "",
          "groff -man -ww renders it without warnings " + groff.stderr.strip())

    if shutil.which("man"):
        man = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                             env=env)
        check(man.returncode == 0 and man.stderr == "" and "EXIT STATUS" in man.stdout,
              "man -l renders it without warnings " + man.stderr.strip())
        text = man.stdout
    else:
        text = subprocess.run(["groff", "-man", "-Tutf8", page], capture_output=True,
                              text=True, env=env).stdout
    # the rendering joins words with hyphens and plain spaces
    text = text.replace("\u2010", "-").replace("\u2212", "-")

    for command in ("run", "show"):
        help_text = subprocess.run([socklens, command, "--help"], capture_output=True,
                                   text=True).stdout
        options = re.findall(r"--([a-z][a-z-]+)", help_text)
        missing = [o for o in options if f"--{o}" not in text]
        check(options and not missing,
              f"every option of `socklens {command} --help` is documented {missing}")

    with open(exit_h, encoding="utf-8") as f:
        statuses = dict(re.findall(r"#define SL_EXIT_(\w+)\s+(\d+)", f.read()))
    section = text.split("EXIT STATUS", 1)[-1].split("ENVIRONMENT", 1)[0]
    documented = re.findall(r"^\s+(\d+)\s", section, re.M)
    check(sorted(statuses.values(), key=int) == documented,
          f"exit statuses {documented} are sl-exit.h's {sorted(statuses.values(), key=int)}")

    version = subprocess.run([socklens, "--version"], capture_output=True, text=True)
    check(version.returncode == 0 and version.stdout.startswith("socklens ") and
          version.stdout.split()[1] in text.splitlines()[-1],
          f"--version ({version.stdout.strip()}) is the page's version")

    usage = subprocess.run([socklens, "no-such-command"], capture_output=True, text=True)
    check(usage.returncode == int(statuses["USAGE"]), "an unknown command exits with SL_EXIT_USAGE")

    print(f"1..{len(results)}")
    for i, (ok, what) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
