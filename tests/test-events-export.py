#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-events-export.py: `socklens run NAME --output run.pcapng --events run.csv`,
`socklens show run.pcapng --events run.json` and `socklens trace --example tcp
--output trace.pcapng --events trace.csv|json`, read back with python3's csv
and json modules, and compared with what tshark reads from the same pcapng:
one packet record per frame, with Wireshark's frame numbers, times, endpoints,
flags, relative seq/ack and lengths; calls with their times, results and
links; the records in causal order. Prints TAP.

Usage: test-events-export.py SOCKLENS
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
from decimal import Decimal

SCENARIOS = ["tcp-echo", "udp-unreachable", "tcp-ipv6"]
TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
TSHARK_FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst",
                 "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
                 "udp.dstport", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len", "udp.length",
                 "icmp.type", "icmp.code"]

results = []


def check(ok, what):
    results.append((bool(ok), what))
    if not ok:
        print(f"# FAILED: {what}", flush=True)
    return ok


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr}")
    return proc.stdout


def tshark_frames(pcapng):
    argv = ["tshark", "-r", pcapng, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in TSHARK_FIELDS:
        argv += ["-e", f]
    frames = []
    for line in run(argv).splitlines():
        values = line.split("\t")
        frames.append(dict(zip(TSHARK_FIELDS, values)))
    return frames


def endpoint(addr, port):
    if ":" in addr:
        addr = f"[{addr}]"
    return f"{addr}:{port}" if port else addr


def expected_packet(frame):
    """A tshark frame as our packet record would have it (strings, as CSV holds them)."""
    src_ip = frame["ip.src"] or frame["ipv6.src"]
    dst_ip = frame["ip.dst"] or frame["ipv6.dst"]
    sport = frame["tcp.srcport"] or frame["udp.srcport"]
    dport = frame["tcp.dstport"] or frame["udp.dstport"]
    # an ICMP error quotes the datagram: tshark's first port is the quoted one
    if frame["icmp.type"]:
        sport = dport = ""
    exp = {
        "frame": frame["frame.number"],
        "frame_length": frame["frame.len"],
        "src": endpoint(src_ip, sport),
        "dst": endpoint(dst_ip, dport),
    }
    seconds, _, frac = frame["frame.time_epoch"].partition(".")
    exp["time_ns"] = str(int(seconds) * 10**9 + int((frac + "000000000")[:9]))
    if frame["tcp.flags"] and not frame["icmp.type"]:
        bits = int(frame["tcp.flags"], 16)
        exp["flags"] = ",".join(n for i, n in enumerate(TCP_FLAGS) if bits & (1 << i))
        exp["seq"] = frame["tcp.seq"]
        exp["ack"] = frame["tcp.ack"] if bits & 0x10 else ""
        exp["length"] = frame["tcp.len"]
    elif frame["udp.length"] and not frame["icmp.type"]:
        exp["length"] = str(int(frame["udp.length"]) - 8)
    return exp


def json_as_csv_row(record, header):
    """A JSON record with its values as CSV would write them."""
    row = {}
    for name in header:
        value = record.get(name)
        if name == "links":
            key = "frame" if record["event"] != "packet" else "call"
            value = " ".join(f"{l['kind']}:{l[key]}" for l in record["links"])
        elif name == "time_s" or value is None:
            value = None
        row[name] = "" if value is None else str(value)
    return row


def check_scenario(socklens, name, tmp):
    pcapng = os.path.join(tmp, f"{name}.pcapng")
    csv_path = os.path.join(tmp, f"{name}.csv")
    json_path = os.path.join(tmp, f"{name}.json")
    run_csv_path = os.path.join(tmp, f"{name}-run.csv")
    run([socklens, "run", name, "--output", pcapng, "--events", run_csv_path])
    run([socklens, "show", pcapng, "--events", csv_path])
    run([socklens, "show", pcapng, "--events", json_path])

    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    with open(json_path, encoding="utf-8") as f:
        doc = json.load(f)
    events = doc["events"]
    frames = tshark_frames(pcapng)

    check(doc["format"] == "socklens-events" and doc["version"] == 1,
          f"{name}: JSON names its format and version 1")
    check(header[:4] == ["row", "event", "time_ns", "time_s"] and header[-1] == "links",
          f"{name}: CSV header as docs/EVENTS.md lists it")
    check(len(rows) == len(events), f"{name}: CSV and JSON have the same number of records "
          f"({len(rows)}, {len(events)})")
    check([r["row"] for r in rows] == [str(i) for i in range(len(rows))],
          f"{name}: CSV rows numbered in order")

    # the same records both ways
    same = all(json_as_csv_row(e, header) == {k: ("" if k == "time_s" else v)
                                                for k, v in r.items()}
               for e, r in zip(events, rows))
    check(same, f"{name}: every CSV record equals its JSON record")

    # the run's own export and its pcapng's: the same events in the same
    # order (a file numbers calls in the order it holds them, so call ids
    # may differ; frames may not)
    with open(run_csv_path, newline="", encoding="utf-8") as f:
        run_rows = list(csv.DictReader(f))
    keys = ("row", "event", "time_ns", "actor", "name", "arguments", "result", "errno_name",
            "frame", "src", "dst", "flags", "seq", "ack", "length")
    check([[r[k] for k in keys] for r in run_rows] == [[r[k] for k in keys] for r in rows],
          f"{name}: the run's events and its saved file's are the same, in the same order")

    packets = [r for r in rows if r["event"] == "packet"]
    check(len(packets) == len(frames) and len(frames) > 0,
          f"{name}: one packet record per tshark frame ({len(packets)}, {len(frames)})")
    check(doc["n_packets"] == len(frames), f"{name}: JSON n_packets is tshark's frame count")
    by_frame = {r["frame"]: r for r in packets}
    mismatches = []
    for frame in frames:
        exp = expected_packet(frame)
        got = by_frame.get(exp["frame"], {})
        for key, value in exp.items():
            if got.get(key) != value:
                mismatches.append(f"frame {exp['frame']} {key}: {got.get(key)!r} != {value!r}")
    check(not mismatches, f"{name}: packet fields equal tshark's " + "; ".join(mismatches[:5]))

    # calls: each has its entry; returned ones a return with result and times
    calls = {}
    for r in rows:
        if r["event"] != "packet":
            calls.setdefault(r["call"], {})[r["event"]] = r
    check(len(calls) == doc["n_calls"], f"{name}: every call has records ({len(calls)}, "
          f"{doc['n_calls']})")
    complete = all("call-enter" in c and "call-return" in c and
                   int(c["call-enter"]["row"]) < int(c["call-return"]["row"]) and
                   c["call-return"]["result"] != "" and
                   c["call-return"]["entry_ns"] == c["call-enter"]["time_ns"] and
                   c["call-return"]["return_ns"] == c["call-return"]["time_ns"] and
                   c["call-enter"]["actor"] and c["call-enter"]["source_file"] and
                   int(c["call-enter"]["source_line"]) > 0
                   for c in calls.values())
    check(complete, f"{name}: each call enters before it returns, with times, result, actor, "
          "source line")

    # links: a returning receive comes after the packets that brought its bytes
    row_of_frame = {r["frame"]: int(r["row"]) for r in packets}
    causal = True
    for r in rows:
        if r["event"] == "call-return" and r["name"] in ("recv", "recvfrom", "accept"):
            for link in r["links"].split():
                kind, frame = link.split(":")
                notes = by_frame[frame]["notes"]
                if kind in ("data", "handshake") and "retransmission" not in notes \
                        and "dropped" not in notes:
                    causal = causal and row_of_frame[frame] < int(r["row"])
    check(causal, f"{name}: receives and accept() return after their packets")
    return rows


def check_trace(socklens, tmp):
    """socklens trace writes the same export: the lecture's TCP example's
    calls at their lines of its .py files, and one packet per tshark frame."""
    pcapng = os.path.join(tmp, "trace.pcapng")
    csv_path = os.path.join(tmp, "trace.csv")
    json_path = os.path.join(tmp, "trace-json.pcapng")
    json_events = os.path.join(tmp, "trace.json")
    run([socklens, "trace", "--example", "tcp", "--output", pcapng, "--events", csv_path])
    run([socklens, "trace", "--example", "tcp", "--output", json_path, "--events", json_events])
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    frames = tshark_frames(pcapng)
    packets = [r for r in rows if r["event"] == "packet"]
    check(len(frames) > 0 and len(packets) == len(frames),
          f"trace --events CSV: one packet record per tshark frame ({len(packets)}, {len(frames)})")
    mismatches = [f"frame {f['frame.number']}" for f in frames
                  if any(p.get(k) != v for p in packets if p["frame"] == f["frame.number"]
                         for k, v in expected_packet(f).items())]
    check(not mismatches, "trace --events CSV: packet fields equal tshark's " + " ".join(mismatches[:5]))
    sources = {os.path.basename(r["source_file"]) for r in rows if r["event"] == "call-enter"}
    lines_ok = all(int(r["source_line"]) > 0 for r in rows if r["event"] == "call-enter")
    check(sources == {"tcp_server.py", "tcp_client.py"} and lines_ok,
          f"trace --events CSV: each call names its line in the example's programs {sorted(sources)}")
    with open(json_events, encoding="utf-8") as f:
        doc = json.load(f)
    json_frames = tshark_frames(json_path)
    check(doc["format"] == "socklens-events" and doc["n_packets"] == len(json_frames) > 0
          and sum(e["event"] == "packet" for e in doc["events"]) == len(json_frames),
          f"trace --events JSON: n_packets and packet records equal tshark's {len(json_frames)} frames")
    accepts = [e for e in doc["events"]
               if e["event"] == "call-return" and e["name"] in ("accept", "accept4")]
    check(doc["n_calls"] > 0 and accepts,
          f"trace --events JSON: {doc['n_calls']} calls, the server's accept() among them")


def check_specifics(by_name):
    echo = by_name["tcp-echo"]
    recv = [r for r in echo if r["event"] == "call-return" and r["name"] == "recv"
            and r["actor"] == "server" and r["result"] == "5"]
    check(len(recv) == 1 and recv[0]["data"] == 'b"hello"' and recv[0]["links"].startswith("data:"),
          "tcp-echo: the server's recv() = 5 got b\"hello\" from a linked segment")
    unreachable = by_name["udp-unreachable"]
    icmp = [r for r in unreachable if r["event"] == "packet" and r["protocol"] == "ICMP"]
    failed = [r for r in unreachable if r["event"] == "call-return" and r["errno_name"]]
    check(icmp and all("icmp-type=3 icmp-code=3" in r["notes"] for r in icmp),
          "udp-unreachable: ICMP port unreachable packets, by type and code")
    refused = [r for r in failed if r["errno_name"] == "ECONNREFUSED"]
    icmp_rows = {r["frame"]: int(r["row"]) for r in icmp}
    check(refused and all(any(l.startswith("refused:") and icmp_rows.get(l.split(":")[1], 1 << 30)
                                  < int(r["row"]) for l in r["links"].split())
                          for r in refused),
          "udp-unreachable: the refused call links its ICMP error, which comes before it")
    check(any(r["errno_name"] == "ECONNREFUSED" and r["errno"] == "111" for r in failed),
          "udp-unreachable: a call failed with errno ECONNREFUSED by name and number")


def check_failures(socklens, tmp):
    """Nowhere to write (exit status 1), or an ending we do not write (2: a
    bad command line, refused before the file is read): a message naming the
    file, and no file (nor a temporary one) left behind."""
    pcapng = os.path.join(tmp, "tcp-echo.pcapng")
    for target, words, status in ((os.path.join(tmp, "missing", "events.csv"), ["events.csv"], 1),
                                  (os.path.join(tmp, "events.txt"), ["events.txt", ".csv or .json"], 2)):
        proc = subprocess.run([socklens, "show", pcapng, "--events", target], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        check(proc.returncode == status and all(w in proc.stderr for w in words),
              f"--events {os.path.basename(target)}: exit {status} and a message naming it")
        check(not os.path.exists(target), f"--events {os.path.basename(target)}: no file")
    check(not [n for n in os.listdir(tmp) if n.startswith(".")], "no temporary file left behind")


def main():
    socklens = sys.argv[1]
    by_name = {}
    with tempfile.TemporaryDirectory(prefix="socklens-events-") as tmp:
        for name in SCENARIOS:
            try:
                by_name[name] = check_scenario(socklens, name, tmp)
            except Exception as e:  # a failed run is a failed test, with its reason
                check(False, f"{name}: {e}")
        if len(by_name) == len(SCENARIOS):
            check_specifics(by_name)
            check_failures(socklens, tmp)
        try:
            check_trace(socklens, tmp)
        except Exception as e:
            check(False, f"trace: {e}")
    print(f"1..{len(results)}")
    for i, (ok, what) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
