#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-cli-run.py: `socklens run` on long runs, as a person runs it.

- udp-echo --count 100000 prints its timeline while it runs (lines arrive
  before the program ends) and saves every datagram: capinfos counts
  200,000 packets in the file.
- A run interrupted by a real SIGINT to its process group (what Ctrl+C
  does), sent once N events have been printed, exits with 130 and leaves a
  file tshark reads, holding every line printed: what was shown is what was
  saved, and every datagram a sendto() sent is in it.
- The same with --in-process (the calls on this process's threads): a real
  SIGINT stops the run at once, every call printed is in the file, the
  program says where it saved it and exits with 130.

Output: TAP. Needs the lab (a user namespace, or root in CI).
"""

import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

SOCKLENS = os.environ["SOCKLENS"]
TESTS = []


def test(func):
    TESTS.append(func)
    return func


def run_tool(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def file_packets(path):
    # capinfos -M: exact counts, not "185 k"
    out = run_tool("capinfos", "-M", "-c", path)
    return int(out.strip().splitlines()[-1].split(":")[1])


class Run:
    """socklens run in its own process group, its stdout read line by line."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [SOCKLENS, "run", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.lines = []
        self.lines_while_running = 0
        self._partial = b""

    def read_some(self, timeout=1.0):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return True
        data = os.read(self.proc.stdout.fileno(), 1 << 16)
        if not data:
            return False
        running = self.proc.poll() is None
        chunks = (self._partial + data).split(b"\n")
        self._partial = chunks.pop()
        self.lines += [c.decode() for c in chunks]
        if running:
            self.lines_while_running = len(self.lines)
        return True

    def events(self):
        return len(packets_of(self.lines)) + len(calls_of(self.lines))

    def finish(self):
        while self.read_some():
            pass
        self.stderr = self.proc.stderr.read().decode()
        return self.proc.wait(timeout=120)


PACKET = re.compile(r"^\+\S+  .* -> .*  (UDP|TCP|ICMP)")
RESUMED = "<... "


def packets_of(lines):
    """Packet lines: the same however the calls around them were split"""
    return [line for line in lines if PACKET.match(line)]


def calls_of(lines):
    """Each call once: where it began (a call interleaved with other events
    is printed <unfinished ...> there and <... resumed> where it returned)"""
    return [line.split("  [")[0] for line in lines
            if line.startswith("+") and not PACKET.match(line) and RESUMED not in line]


def sends_of(lines):
    """sendto() calls that sent their 5 bytes"""
    return sum(1 for line in lines
               if re.search(r"(sendto\(fd=.*\)|<\.\.\. sendto resumed>) = 5", line))


def timeline_of(path):
    return run_tool(SOCKLENS, "show", path).splitlines()


@test
def udp_echo_100k(tmp):
    path = os.path.join(tmp, "f.pcapng")
    run = Run("udp-echo", "--count", "100000", "--output", path)
    status = run.finish()
    assert status == 0, f"exit {status}: {run.stderr}"
    # Printed as it went: most lines came while the program was still running
    assert run.lines_while_running > len(run.lines) // 2, (
        f"{run.lines_while_running} of {len(run.lines)} lines came before the end")
    packets = file_packets(path)
    assert packets == 200000, f"{packets} packets in the file, not 200000: {run.stderr}"
    assert len(packets_of(run.lines)) == 200000, f"{len(packets_of(run.lines))} packets printed"
    assert len(calls_of(run.lines)) == 400006, f"{len(calls_of(run.lines))} calls printed"


@test
def in_process_prints_as_it_goes(tmp):
    # Each call is printed from inside the recorder's listener: it must not
    # wait for the recorder (it once deadlocked on the first call)
    out = subprocess.run([SOCKLENS, "run", "udp-echo", "--count", "1000", "--in-process"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    calls = calls_of(out.stdout.splitlines())
    assert len(calls) == 4006, f"{len(calls)} calls printed"


@test
def sigint_keeps_everything(tmp):
    path = os.path.join(tmp, "g.pcapng")
    run = Run("udp-echo", "--count", "1000000", "--output", path)
    # Ctrl+C once 20,000 events are on the screen (not after a sleep)
    while run.events() < 20000:
        assert run.read_some(), "the run ended before 20,000 events: " + \
            run.proc.stderr.read().decode()
    shown_before = run.lines[:]
    os.killpg(run.proc.pid, signal.SIGINT)
    status = run.finish()
    assert status == 130, f"exit {status}: {run.stderr}"
    assert "SIGINT" in run.stderr, run.stderr

    run_tool("tshark", "-r", path, "-c", "1")  # tshark reads it (check=True)
    saved = timeline_of(path)
    # Everything shown, and nothing else, is in the file
    assert sorted(packets_of(saved)) == sorted(packets_of(run.lines)), (
        f"{len(packets_of(saved))} packets in the file, {len(packets_of(run.lines))} printed")
    assert len(calls_of(saved)) == len(calls_of(run.lines)), (
        f"{len(calls_of(saved))} calls in the file, {len(calls_of(run.lines))} printed")
    assert len(calls_of(saved)) >= len(calls_of(shown_before))
    # Every datagram a sendto() sent was captured and saved
    sends = sends_of(saved)
    assert sends > 0
    udp = int(run_tool("tshark", "-r", path, "-Y", "udp", "-T", "fields",
                       "-e", "frame.number").count("\n"))
    # ... and no more than the calls begun: a sendto() the interrupt caught
    # after its datagram left has its entry but not its return
    begun = sum(1 for line in calls_of(saved) if " sendto(fd=" in line)
    assert sends <= udp <= begun, (
        f"{udp} datagrams in the file for {sends} sendto() calls returned, {begun} begun")
    # No temporary file left beside it
    assert os.listdir(tmp) == ["g.pcapng"], os.listdir(tmp)


@test
def in_process_sigint_keeps_everything(tmp):
    path = os.path.join(tmp, "p.pcapng")
    run = Run("udp-echo", "--count", "1000000", "--in-process", "--output", path)
    # Ctrl+C once 20,000 calls are on the screen (the whole run is 4,000,006)
    while len(calls_of(run.lines)) < 20000:
        assert run.read_some(), "the run ended before 20,000 calls: " + \
            run.proc.stderr.read().decode()
    os.killpg(run.proc.pid, signal.SIGINT)
    status = run.finish()
    assert status == 130, f"exit {status}: {run.stderr}"
    assert "SIGINT" in run.stderr, run.stderr
    saved_line = re.search(r"saved 0 packets and (\d+) calls to (.*)$", run.stderr, re.M)
    assert saved_line and saved_line.group(2) == path, run.stderr
    printed = len(calls_of(run.lines))
    assert printed < 4000006, "the run was not stopped"

    run_tool("tshark", "-r", path, "-c", "1")  # tshark reads it (check=True)
    saved = calls_of(timeline_of(path))
    assert len(saved) == int(saved_line.group(1)), (
        f"{len(saved)} calls in the file, {saved_line.group(1)} said")
    # Every call printed (each as it returned) is in the file; at most the
    # actors' calls still in the kernel at the interrupt come on top
    assert printed <= len(saved) <= printed + 2, (
        f"{len(saved)} calls in the file, {printed} printed")
    assert os.listdir(tmp) == ["p.pcapng"], os.listdir(tmp)


@test
def sigkill_leaves_readable_stream(tmp):
    path = os.path.join(tmp, "k.pcapng")
    run = Run("udp-echo", "--count", "1000000", "--output", path)
    while run.events() < 20000:
        assert run.read_some(), "the run ended before 20,000 events"
    printed_packets = packets_of(run.lines)
    printed_calls = len(calls_of(run.lines))
    # The app itself dies, with no chance to save
    os.kill(run.proc.pid, signal.SIGKILL)
    run.proc.wait(timeout=60)
    try:
        os.killpg(run.proc.pid, signal.SIGKILL)  # the lab, if it is still there
    except ProcessLookupError:
        pass
    left = [name for name in os.listdir(tmp) if name != "k.pcapng"]
    assert not os.path.exists(path) and len(left) == 1, os.listdir(tmp)
    stream = os.path.join(tmp, left[0])
    # Whole blocks only: tshark and capinfos read it without an error
    run_tool("capinfos", "-c", stream)
    run_tool("tshark", "-r", stream, "-c", "1")
    # Everything printed before the kill is in it
    saved = timeline_of(stream)
    saved_packets = set(packets_of(saved))
    missing = [line for line in printed_packets if line not in saved_packets]
    assert not missing, f"{len(missing)} printed packets not in the file: {missing[:3]}"
    assert len(calls_of(saved)) >= printed_calls, (
        f"{len(calls_of(saved))} calls in the file, {printed_calls} printed")


SYS_WRITE, SYS_RECVFROM, SYS_FUTEX = 1, 45, 202  # x86_64 system call numbers


def asleep_in(pid):
    """{thread name: system call number} of the threads of @pid asleep in one"""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                nr = f.read().split()[0]
        except (FileNotFoundError, ProcessLookupError):
            continue
        if nr.isdigit():
            threads[name] = int(nr)
    return threads


@test
def stalled_reader_loses_nothing(tmp):
    # The lab runs ahead of the app by a bounded amount: when the app stops
    # reading, the lab's sender sleeps in write() on the full pipe, an
    # actor waits for room (the run goes at the app's pace), and when the
    # app reads again every call and every datagram arrives.
    lab = os.path.join(os.path.dirname(SOCKLENS), "socklens-lab")
    proc = subprocess.Popen([lab, "udp-echo", "--count", "20000", "--quiet"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stalled = False
    while not stalled:
        assert proc.poll() is None, "the lab ended while nobody read its output"
        threads = asleep_in(proc.pid)
        # (the other actor, in udp-echo, waits in recvfrom() for its datagram)
        stalled = (threads.get("lab-sender") == SYS_WRITE
                   and SYS_FUTEX in (threads.get("client"), threads.get("server")))
        time.sleep(0.05)  # polling the kernel's word for the state, not a guess
    path = os.path.join(tmp, "stalled.pcapng")
    with open(path, "wb") as f:
        f.write(proc.stdout.read())
    proc.stdin.close()
    assert proc.wait(timeout=120) == 0
    assert file_packets(path) == 40000, f"{file_packets(path)} packets, not 40000"
    saved = timeline_of(path)
    assert sends_of(saved) == 40000, f"{sends_of(saved)} sendto() calls saved"
    assert len(calls_of(saved)) == 80006, f"{len(calls_of(saved))} calls saved"


def main():
    print(f"1..{len(TESTS)}")
    failed = 0
    for n, func in enumerate(TESTS, 1):
        with tempfile.TemporaryDirectory(prefix="socklens-cli-") as tmp:
            start = time.monotonic()
            try:
                func(tmp)
                print(f"ok {n} - {func.__name__} ({time.monotonic() - start:.1f} s)")
            except Exception as e:  # noqa: BLE001 - reported as TAP
                failed += 1
                print(f"not ok {n} - {func.__name__}")
                for line in str(e).splitlines()[:20]:
                    print(f"# {line}")
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
