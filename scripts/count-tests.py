#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Count test cases from meson's testlog.json files.

`meson test` counts test programs; this counts the cases inside them.

For each test program recorded in a testlog.json (one JSON object per line):
  - TAP output (GLib tests): every `ok` line is one pass (`ok ... # SKIP` is
    a pass that is also counted as skipped), every `not ok` line one failure
    (`not ok ... # TODO` is an expected failure: counted as skipped).  If meson
    marked the program as failed (crash, timeout, bad exit status, missing
    plan...) but it printed no `not ok` line, that is one more failure.
  - No TAP output (plain exit-status tests such as the data validators): one
    pass or one failure according to meson's result.  A program meson skipped
    (exit status 77) is one skip, counted as passed.

The last line printed is `N passed, N failed`, followed by `, N skipped`
when anything was skipped.  With --details, each failing program comes
first: its failed cases (or the case it died in) and the last lines of its
output, short enough to survive in a CI log that keeps only its tail.  Exit status 1 when anything failed (or a skip
matched --fail-skips-matching: such a skip is counted as failed), 2 on a
usage or input error.
"""

import argparse
import json
import re
import sys

TAP_RESULT = re.compile(r'^(not ok|ok)\b(.*)$')
TAP_PLAN = re.compile(r'^1\.\.\d+')
TAP_DIRECTIVE = re.compile(r'#\s*(SKIP|TODO)\b', re.IGNORECASE)

GOOD_RESULTS = {'OK', 'EXPECTEDFAIL'}
SKIP_RESULTS = {'SKIP'}


class Totals:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []          # (test name, detail)
        self.bad_skips = []         # (test name, detail)
        self.failed_programs = []   # testlog entries of the programs that failed

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.failures += other.failures
        self.bad_skips += other.bad_skips
        self.failed_programs += other.failed_programs


def is_tap(stdout):
    for line in stdout.splitlines():
        if line.startswith('TAP version') or TAP_PLAN.match(line) or TAP_RESULT.match(line):
            return True
    return False


def count_one(entry, skip_re):
    t = Totals()
    name = entry.get('name', '?')
    result = entry.get('result', 'ERROR')
    stdout = entry.get('stdout') or ''

    def skipped(detail):
        t.skipped += 1
        if skip_re and (skip_re.search(name) or skip_re.search(detail)):
            t.bad_skips.append((name, detail))

    if is_tap(stdout):
        not_ok_lines = 0
        for line in stdout.splitlines():
            m = TAP_RESULT.match(line)
            if not m:
                continue
            rest = m.group(2).strip()
            d = TAP_DIRECTIVE.search(rest)
            directive = d.group(1).upper() if d else None
            if m.group(1) == 'ok':
                t.passed += 1
                if directive == 'SKIP':
                    skipped(rest)
            elif directive == 'TODO':
                skipped(rest)
            else:
                t.failed += 1
                not_ok_lines += 1
                t.failures.append((name, 'not ok ' + rest))
        if result in SKIP_RESULTS and t.passed == 0 and t.failed == 0:
            # "1..0 # SKIP reason": the whole program was skipped.
            t.passed += 1
            skipped(name)
        elif result not in GOOD_RESULTS and result not in SKIP_RESULTS and not_ok_lines == 0:
            t.failed += 1
            t.failures.append((name, '%s (exit status %s) %s'
                               % (result, entry.get('returncode'), where_it_died(stdout))))
    else:
        if result in GOOD_RESULTS:
            t.passed += 1
        elif result in SKIP_RESULTS:
            t.passed += 1
            skipped(name)
        else:
            t.failed += 1
            t.failures.append((name, '%s (exit status %s), no TAP output'
                               % (result, entry.get('returncode'))))
    if t.failed:
        t.failed_programs.append(entry)
    return t


def where_it_died(stdout):
    """The case a TAP program was in when it stopped printing (a crash, an
    abort in g_assert, a timeout): the one after its last result line."""
    plan = None
    last = None
    n_results = 0
    for line in stdout.splitlines():
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
        if TAP_RESULT.match(line):
            n_results += 1
            last = line.strip()
    where = 'in case %d' % (n_results + 1)
    if plan is not None:
        where += ' of %d' % plan
    where += ' (after "%s")' % last if last else ' (before any result)'
    if plan is not None and plan > n_results + 1:
        where += ', %d after it not run' % (plan - n_results - 1)
    return 'died ' + where


def output_tail(entry, n_lines):
    """The last n_lines of a program's output: stdout, then stderr (meson
    keeps them apart for TAP tests), stderr's end kept in any case."""
    out = (entry.get('stdout') or '').rstrip('\n').splitlines()
    err = (entry.get('stderr') or '').rstrip('\n').splitlines()
    n_err = min(len(err), n_lines // 2) if out else min(len(err), n_lines)
    n_out = n_lines - n_err
    lines = out[-n_out:] if n_out > 0 else []
    if n_err:
        lines += ['(stderr)'] + err[-n_err:]
    return lines


MAX_PROGRAMS_NAMED = 6
MAX_CASES_NAMED = 4


def print_details(total, max_programs, tail_lines):
    """What failed, for a reader who sees only the end of the log: bounded,
    so that a run where everything fails still fits in it."""
    for i, entry in enumerate(total.failed_programs[:MAX_PROGRAMS_NAMED]):
        name = entry.get('name', '?').split(' / ')[-1]
        print('FAILED PROGRAM %s: %s, exit status %s, %.1f s' %
              (name, entry.get('result'), entry.get('returncode'),
               entry.get('duration') or 0))
        cases = [d for n, d in total.failures if n == entry.get('name')]
        for detail in cases[:MAX_CASES_NAMED]:
            print('  %s' % detail)
        if len(cases) > MAX_CASES_NAMED:
            print('  ... and %d more' % (len(cases) - MAX_CASES_NAMED))
        if i < max_programs:
            for line in output_tail(entry, tail_lines):
                print('  | %s' % line[:160])
    if len(total.failed_programs) > MAX_PROGRAMS_NAMED:
        print('... and %d more failing programs'
              % (len(total.failed_programs) - MAX_PROGRAMS_NAMED))
    if len(total.failed_programs) > max_programs:
        print('(the output of every failing program: meson-logs/testlog.txt)')


def count_file(path, skip_re):
    t = Totals()
    with open(path, encoding='utf-8', errors='replace') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit('count-tests: %s:%d: not JSON: %s' % (path, lineno, e))
            t.add(count_one(entry, skip_re))
    return t


def summary_line(t, with_skips):
    line = '%d passed, %d failed' % (t.passed, t.failed)
    if with_skips and t.skipped:
        line += ', %d skipped' % t.skipped
    return line


def main(argv):
    ap = argparse.ArgumentParser(
        description='Count g_test cases (TAP ok / not ok) in meson testlog.json files.')
    ap.add_argument('testlogs', nargs='+', metavar='testlog.json',
                    help='one or more meson-logs/testlog.json files')
    ap.add_argument('--sum', action='store_true',
                    help='sum several files (the default with more than one file); '
                         'a missing file counts as one failure')
    ap.add_argument('--fail-skips-matching', metavar='REGEX',
                    help='a skip whose test name or TAP description matches REGEX '
                         'is an error (exit status 1)')
    ap.add_argument('--extra-failed', type=int, default=0, metavar='N',
                    help='add N failures that happened outside meson test (build, fuzz)')
    ap.add_argument('--no-skipped', action='store_true',
                    help='print exactly "N passed, N failed", never ", N skipped"')
    ap.add_argument('--quiet', '-q', action='store_true',
                    help='print only the summary line')
    ap.add_argument('--details', action='store_true',
                    help='before the summary line, name each failing program and case '
                         'and print the end of its output (short: for a CI log)')
    ap.add_argument('--tail-lines', type=int, default=15, metavar='N',
                    help='with --details, the last N lines of each failing program (15)')
    ap.add_argument('--tail-programs', type=int, default=2, metavar='N',
                    help='with --details, the output of the first N failing programs (2)')
    args = ap.parse_args(argv)

    skip_re = re.compile(args.fail_skips_matching) if args.fail_skips_matching else None
    summing = args.sum or len(args.testlogs) > 1

    total = Totals()
    for path in args.testlogs:
        try:
            t = count_file(path, skip_re)
        except FileNotFoundError:
            if not summing:
                print('count-tests: %s: no such file (did meson test run?)' % path,
                      file=sys.stderr)
                return 2
            t = Totals()
            t.failed = 1
            t.failures.append((path, 'missing: the tests of this build did not run'))
        if summing and not args.quiet:
            print('%s: %s' % (path, summary_line(t, True)))
        total.add(t)

    # A skip that is not allowed counts as a failure, not as a pass.
    total.passed -= len(total.bad_skips)
    total.failed += len(total.bad_skips) + args.extra_failed

    if args.details:
        print_details(total, args.tail_programs, args.tail_lines)
    if not args.quiet:
        for name, detail in total.failures:
            print('FAILED: %s: %s' % (name, detail))
        for name, detail in total.bad_skips:
            print('SKIP NOT ALLOWED: %s: %s' % (name, detail))
    elif total.bad_skips:
        for name, detail in total.bad_skips:
            print('SKIP NOT ALLOWED: %s: %s' % (name, detail))

    print(summary_line(total, not args.no_skipped))
    return 1 if (total.failed or total.bad_skips) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
