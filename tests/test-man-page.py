#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-man-page.py: socklens(1) renders without a warning (groff -ww, man -l),
and says what the program does: every command `socklens --help` lists; under
"Options of COMMAND" exactly the options (long and short) of
`socklens COMMAND --help` for run, show and trace, and under "Options of the
window" those the application registers (ui/sl-application.c); the exit
statuses of app/sl-exit.h, the version `socklens --version` prints. Prints TAP.

Usage: test-man-page.py SOCKLENS MAN_PAGE SL_EXIT_H SL_APPLICATION_C
"""

import os
import re
import shutil
import subprocess
import sys

results = []


def check(ok, what):
    results.append((bool(ok), what))


def help_options(help_text):
    """{(short, long)} of a GOption --help, its Help Options left out."""
    found = set(re.findall(r"^\s+(?:-(\w), )?--([a-z][a-z-]*)", help_text, re.M))
    return {o for o in found if o[1] not in ("help", "help-all")}


def documented_options(text):
    """{command: {(short, long)}} of the rendered page's "Options of ..." subsections."""
    sections = {}
    current = None
    for line in text.split("OPTIONS", 1)[-1].split("EXIT STATUS", 1)[0].splitlines():
        heading = re.match(r"^ {3}Options of (.+)$", line)
        if heading:
            current = sections.setdefault(heading.group(1).strip(), set())
            continue
        item = re.match(r"^ {7}(?:-(\w), )?--([a-z][a-z-]*)", line)
        if item and current is not None:
            current.add(item.groups(default=""))
    return sections


def main():
    socklens, page, exit_h, app_c = sys.argv[1:5]
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

    usage = subprocess.run([socklens, "--help"], capture_output=True, text=True, env=env).stdout
    commands = re.findall(r"^\s+socklens ([a-z]+)\b", usage, re.M)
    described = text.split("COMMANDS", 1)[-1].split("OPTIONS", 1)[0]
    undocumented = [c for c in commands if not re.search(rf"^ {{7}}{c}\b", described, re.M)]
    check(len(commands) >= 4 and not undocumented,
          f"every command of `socklens --help` {commands} is described {undocumented}")

    sections = documented_options(text)
    for command in ("run", "show", "trace"):
        help_text = subprocess.run([socklens, command, "--help"], capture_output=True,
                                   text=True, env=env).stdout
        options = help_options(help_text)
        page = sections.get(command, set())
        check(options and options == page,
              f"`socklens {command} --help`'s options are the page's \"Options of {command}\": "
              f"missing {sorted(options - page)}, not in --help {sorted(page - options)}")
    with open(app_c, encoding="utf-8") as f:
        window = {("", m) for m in re.findall(r'\{ "([a-z-]+)", 0, 0, G_OPTION_ARG', f.read())}
    page = sections.get("the window", set())
    check(window and window == page,
          f"the window's options are the page's \"Options of the window\": "
          f"missing {sorted(window - page)}, not in the application {sorted(page - window)}")

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
