#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench-run.py: `socklens run udp-echo --count N` (2N datagrams, 4N calls)
in the lab, --in-process (calls only), and a bare loop of the same calls
(sl-bare-udp-echo), in one sitting so the ratios compare like with like.
Each is timed twice over: wall time, and the CPU time (user + system) of
the program and everything it ran (the lab and its threads). On a shared
2-core machine the wall time also measures the neighbours; the CPU time
is what the run itself cost. Prints, never fails; the numbers go to
docs/PERFORMANCE.md.

    bench-run.py [N]     (default 100000)

With SOCKLENS_LAB set (meson's benchmark sets it), the lab is also run on
its own, its stream to a file: what the lab costs, apart from the app
that reads, prints and saves the run.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time

SOCKLENS = os.environ["SOCKLENS"]
BARE = os.environ["SL_BARE_UDP_ECHO"]
LAB = os.environ.get("SOCKLENS_LAB")


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv):
    """Wall time, CPU time of it and its descendants, and the program's own
    peak RSS (GNU time's %M, in KiB)"""
    start, cpu = time.monotonic(), cpu_of_children()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], check=True, capture_output=True,
                         text=True)
    lines = out.stderr.strip().splitlines()
    timed.capture_said = [line for line in lines if "captured" in line or "LOST" in line]
    return time.monotonic() - start, cpu_of_children() - cpu, int(lines[-1]) / 1024


def lab_alone(lab, n, path):
    """The lab by itself, its stream to a file (stdin held open: its end
    would mean the app went away). Wall and CPU time, as timed() gives."""
    start, cpu = time.monotonic(), cpu_of_children()
    with open(path, "wb") as out:
        proc = subprocess.Popen([lab, "udp-echo", "--count", str(n), "--quiet"],
                                stdin=subprocess.PIPE, stdout=out)
        proc.wait()
        proc.stdin.close()
    return time.monotonic() - start, cpu_of_children() - cpu


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with tempfile.TemporaryDirectory(prefix="socklens-bench-") as tmp:
        path = os.path.join(tmp, "f.pcapng")
        bare, bare_cpu, _ = timed([BARE, str(n)])
        inproc, inproc_cpu, inproc_mib = timed([SOCKLENS, "run", "udp-echo", "--count", str(n),
                                    "--in-process"])
        lab, lab_cpu, lab_mib = timed([SOCKLENS, "run", "udp-echo", "--count", str(n), "--output", path])
        info = subprocess.run(["capinfos", "-M", "-c", path], check=True, capture_output=True,
                              text=True).stdout
        packets = int(info.strip().splitlines()[-1].split(":")[1])
        alone = lab_alone(LAB, n, path) if LAB else None
    calls = 4 * n + 6
    events = calls + packets
    print(f"udp-echo --count {n}: {calls} calls, {2 * n} datagrams sent")
    print("                              wall              CPU (user + system)")
    print(f"bare loop of the same calls:  {bare:7.2f} s  (1.00x)  {bare_cpu:7.2f} s  (1.00x)")
    print(f"socklens --in-process:        {inproc:7.2f} s  ({inproc / bare:5.2f}x)  "
          f"{inproc_cpu:7.2f} s  ({inproc_cpu / bare_cpu:5.2f}x)  calls only, "
          f"peak {inproc_mib:.0f} MiB")
    print(f"socklens in the lab:          {lab:7.2f} s  ({lab / bare:5.2f}x)  "
          f"{lab_cpu:7.2f} s  ({lab_cpu / bare_cpu:5.2f}x)  "
          f"{packets} packets in the file ({'all' if packets == 2 * n else 'NOT all'}), "
          f"peak {lab_mib:.0f} MiB, {lab_mib * 1048576 / events:.0f} bytes per event")
    if alone:
        print(f"the lab alone, to a file:     {alone[0]:7.2f} s  ({alone[0] / bare:5.2f}x)  "
              f"{alone[1]:7.2f} s  ({alone[1] / bare_cpu:5.2f}x)  socklens-lab without the app")
    for line in timed.capture_said:  # the lab's count of lost packets, if any
        print(line)
    print("load average:", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
