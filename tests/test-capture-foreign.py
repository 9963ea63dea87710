#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-capture-foreign.py: captures of every kind a student or teacher might
bring, built here (fixtures/foreign/pcapbuild.py), each read by `socklens show
FILE --events F.json --diagram F.pdf` and compared with tshark field by field:
frame numbers, times, lengths, addresses, ports, TCP flags, relative seq/ack,
payload lengths. Link types Ethernet (VLAN, QinQ, FCS), Linux cooked v1/v2,
raw IP, IPv4, IPv6, BSD null (both byte orders) and loop, PPP; classic pcap
both byte orders, µs and ns, cut by a snapshot length; pcapng with two
sections of both byte orders, interfaces of different link types and
resolutions (10^-n, 2^-n, if_tsoffset), EPB/SPB/obsolete PB, comments, NRB,
DSB, ISB, custom and unknown blocks; IPv4 options, IPv6 extension headers,
fragments, TCP options and odd flag combinations, zero-length UDP, ICMP and
ICMPv6 errors quoting a datagram, ARP and other non-IP frames, out-of-order
and duplicate packets; gzip-compressed. Prints TAP.

Usage: test-capture-foreign.py SOCKLENS
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "foreign"))
from pcapbuild import *  # noqa: E402,F401,F403

FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src",
          "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags",
          "tcp.seq", "tcp.ack", "tcp.len", "udp.length"]
FLAGS = [(0x01, "FIN"), (0x02, "SYN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK"), (0x20, "URG"),
         (0x40, "ECE"), (0x80, "CWR")]


def build(out):
    """Writes every kind of capture into @out."""
    def w(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    conv = conversation4()
    E = [eth(f) for f in conv]
    w('eth-le-us.pcap', pcap(E))
    w('eth-be-us.pcap', pcap(E, be=True))
    w('eth-le-ns.pcap', pcap(E, nsec=True, t0=1700000000.123456789, dt=0.000000123))
    w('eth-be-ns.pcap', pcap(E, be=True, nsec=True, t0=1700000000.5, dt=0.000001))
    # IPv6 conversation
    c6 = [tcp6('2001:db8::1','2001:db8::2',40001,80,100,0,'S',opts=b'\x02\x04\x05\xa0'),
          tcp6('2001:db8::2','2001:db8::1',80,40001,900,101,'SA',opts=b'\x02\x04\x05\xa0'),
          tcp6('2001:db8::1','2001:db8::2',40001,80,101,901,'A'),
          tcp6('2001:db8::1','2001:db8::2',40001,80,101,901,'PA',b'GET / HTTP/1.0\r\n\r\n'),
          tcp6('2001:db8::2','2001:db8::1',80,40001,901,119,'RA')]
    u6 = [udp6('2001:db8::1','2001:db8::2',5353,5353,b'q'), udp6('2001:db8::2','2001:db8::1',5353,5353,b'')]
    mix = conv[:3] + c6 + u6 + [udp4('192.0.2.1','192.0.2.3',1234,53,b'')]
    w('raw101.pcap', pcap(mix, linktype=101))
    w('ipv4-228.pcap', pcap(conv, linktype=228))
    w('ipv6-229.pcap', pcap(c6 + u6, linktype=229))
    def null(f, be, af=None):
        v6 = (f[0] >> 4) == 6
        a = af if af is not None else (24 if v6 else 2)
        return struct.pack('>I' if be else '<I', a) + f
    w('null-le.pcap', pcap([null(f, False) for f in mix], linktype=0))
    w('null-be.pcap', pcap([null(f, True) for f in mix], linktype=0, be=True))
    # NULL written on a LE machine read on... header in host order of writer: LE file with BE AF values (e.g. captured on a BE host, converted)
    w('null-le-file-be-af.pcap', pcap([null(f, True) for f in mix], linktype=0))
    w('null-ipv6-af28.pcap', pcap([null(f, False, 28) for f in c6] + [null(f, False, 30) for f in u6], linktype=0))
    w('loop108.pcap', pcap([null(f, True) for f in mix], linktype=108))
    w('loop108-le-af.pcap', pcap([null(f, False) for f in mix], linktype=108))
    def sll(f, ptype=0, proto=None):
        v6 = (f[0] >> 4) == 6
        p = proto if proto is not None else (0x86dd if v6 else 0x0800)
        return struct.pack('!HHH8sH', ptype, 772, 6, b'\x02\0\0\0\0\x01\0\0', p) + f
    def sll2(f, ifindex=1, ptype=0, proto=None):
        v6 = (f[0] >> 4) == 6
        p = proto if proto is not None else (0x86dd if v6 else 0x0800)
        return struct.pack('!HHIHBB8s', p, 0, ifindex, 772, ptype, 6, b'\x02\0\0\0\0\x01\0\0') + f
    w('sll113.pcap', pcap([sll(f, 4 if i % 2 else 0) for i, f in enumerate(mix)], linktype=113))
    w('sll2-276.pcap', pcap([sll2(f, 1, 4 if i % 2 else 0) for i, f in enumerate(mix)], linktype=276))
    # VLAN / QinQ
    def vl(f, vids, etype=0x0800):
        inner = struct.pack('!H', vids[-1]) + struct.pack('!H', etype) + f
        for v in reversed(vids[:-1]):
            inner = struct.pack('!H', v) + struct.pack('!H', 0x8100) + inner
        return eth(inner, 0x88a8 if len(vids) > 1 else 0x8100)
    w('vlan.pcap', pcap([vl(f, [10]) for f in conv]))
    w('qinq.pcap', pcap([vl(f, [100, 10]) for f in conv]))
    # PPP (linktype 9): address/control + protocol
    w('ppp9.pcap', pcap([b'\xff\x03\x00\x21' + f for f in conv], linktype=9))
    w('ppp9-nohdr.pcap', pcap([b'\x00\x21' + f for f in conv], linktype=9))
    w('ppp-hdlc50.pcap', pcap([b'\xff\x03\x00\x21' + f for f in conv], linktype=50))
    # snaplen
    w('snap54.pcap', pcap(E, snaplen=54))
    w('snap60-ns.pcap', pcap(E, snaplen=60, nsec=True))
    w('snap20.pcap', pcap(E, snaplen=20))
    # IPv4 options, IPv6 ext headers, fragments
    rr = b'\x07\x07\x04' + b'\0\0\0\0' + b'\x01'  # record route (1 slot) + NOP
    ra = b'\x94\x04\0\0'
    ext6 = (struct.pack('!BB', 60, 0) + b'\x05\x02\x00\x00' + b'\x01\x00')  # HBH: router alert, padN -> next dest opts
    dst6 = struct.pack('!BB', 43, 0) + b'\x01\x04\0\0\0\0'
    rt6 = struct.pack('!BBBB', 17, 2, 0, 0) + b'\0\0\0\0' + ip6('2001:db8::99')
    u = udp(7, 7, b'echo!', ip6('2001:db8::1'), ip6('2001:db8::2'), True)
    big = bytes(range(256)) * 6
    uf = udp(4000, 4001, big, ip4('192.0.2.1'), ip4('192.0.2.2'))
    frag6_hdr = lambda off, m, nh: struct.pack('!BBHI', nh, 0, (off // 8) << 3 | (1 if m else 0), 0x1234)
    uf6 = udp(4000, 4001, big, ip6('2001:db8::1'), ip6('2001:db8::2'), True)
    ipf = [ipv4('192.0.2.1','192.0.2.2',17, uf[:800], ident=77, df=False, mf=True),
           ipv4('192.0.2.1','192.0.2.2',17, uf[800:], ident=77, df=False, frag=800),
           ipv6('2001:db8::1','2001:db8::2',44, frag6_hdr(0, True, 17) + uf6[:800]),
           ipv6('2001:db8::1','2001:db8::2',44, frag6_hdr(800, False, 17) + uf6[800:])]
    # fragments out of order
    ipf_rev = [ipf[1], ipf[0]]
    tcpopts = b'\x02\x04\x05\xb4\x01\x03\x03\x0e\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00'
    sack = b'\x01\x01\x05\x12' + struct.pack('!IIII', 2000, 2100, 2200, 2300) + b'\x01\x01\x08\x0a\0\0\0\x09\0\0\0\x08'
    odd = [
      ipv4('192.0.2.1','192.0.2.2',17, udp(5000, 5001, b'opts', ip4('192.0.2.1'), ip4('192.0.2.2')), opts=rr),
      ipv4('192.0.2.1','224.0.0.22',2, b'\x22\0\xf9\x01\0\0\0\0', opts=ra, ttl=1),
      ipv6('2001:db8::1','2001:db8::2',0, ext6 + dst6 + rt6 + u),
    ] + ipf + [
      tcp4('192.0.2.1','192.0.2.2',41000,9,1000,0,'S',opts=tcpopts),
      tcp4('192.0.2.2','192.0.2.1',9,41000,7000,1001,'SA',opts=tcpopts),
      tcp4('192.0.2.1','192.0.2.2',41000,9,1001,7001,'A'),
      tcp4('192.0.2.1','192.0.2.2',41000,9,1001,7001,'PA', b'x'*100),
      tcp4('192.0.2.2','192.0.2.1',9,41000,7001,1001,'A',opts=sack),
      tcp4('192.0.2.1','192.0.2.2',41000,9,1101,7001,'FPA', b'bye'),
      tcp4('192.0.2.2','192.0.2.1',9,41000,7001,1105,'RA'),
      tcp4('192.0.2.1','192.0.2.2',41000,9,1105,0,'R'),
      tcp4('192.0.2.1','192.0.2.2',41001,9,1,0,'SF'),  # odd: SYN+FIN
      tcp4('192.0.2.1','192.0.2.2',41002,9,1,0,'FPU'),  # xmas-ish
      udp4('192.0.2.1','192.0.2.2',6000,6001,b''),
      udp6('2001:db8::1','2001:db8::2',6000,6001,b''),
    ]
    quoted = udp4('192.0.2.1','192.0.2.2',6000,6002,b'ping?')
    quoted6 = udp6('2001:db8::1','2001:db8::2',6000,6002,b'ping?')
    quotedt = tcp4('192.0.2.1','192.0.2.9',41010,80,5,0,'S')
    odd += [quoted, icmp4('192.0.2.2','192.0.2.1',3,3, quoted[:28]),
            quoted6, icmp6('2001:db8::2','2001:db8::1',1,4, quoted6),
            quotedt, icmp4('192.0.2.254','192.0.2.1',11,0, quotedt),
            icmp4('192.0.2.1','192.0.2.2',8,0, b'\x00\x01\x00\x01abcd'),
            icmp4('192.0.2.2','192.0.2.1',0,0, b'\x00\x01\x00\x01abcd'),
            icmp6('2001:db8::1','2001:db8::2',128,0, b'\x00\x01\x00\x01abcd'),
            icmp6('fe80::1','ff02::1:ff00:2',135,0, ip6('2001:db8::2')),
           ]
    w('odd-raw.pcap', pcap(odd, linktype=101))
    w('odd-eth.pcap', pcap([eth(f, 0x86dd if f[0]>>4 == 6 else 0x0800) for f in odd]))
    w('frag-reversed.pcap', pcap(ipf_rev, linktype=101))
    # non-IP
    arp = eth(struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, b'\x02\0\0\0\0\x01', ip4('192.0.2.1'), b'\0'*6, ip4('192.0.2.2')), 0x0806, dst='ff:ff:ff:ff:ff:ff')
    arpr = eth(struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 2, b'\x02\0\0\0\0\x02', ip4('192.0.2.2'), b'\x02\0\0\0\0\x01', ip4('192.0.2.1')), 0x0806)
    lldp = eth(b'\x02\x07\x04\x02\0\0\0\0\x01\x04\x03\x05sw0\x06\x02\x00\x78\0\0', 0x88cc, dst='01:80:c2:00:00:0e')
    stp = eth(b'\x42\x42\x03' + b'\0'*35, 38, dst='01:80:c2:00:00:00')  # 802.3 length field + LLC
    other = eth(b'\x00' * 46, 0x88b5)
    nonip = [arp, arpr] + E[:3] + [lldp, stp, other] + E[3:]
    w('nonip.pcap', pcap(nonip))
    # Out-of-order timestamps and duplicates
    times = [1700000000.0, 1700000000.002, 1700000000.001, 1700000000.004, 1700000000.003, 1700000000.005, 1700000000.006, 1700000000.0065, 1700000000.007]
    w('ooo.pcap', pcap(E, times=times))
    dup = E[:4] + [E[3]] + E[4:] + [E[8]]
    w('dup.pcap', pcap(dup))
    # pcapng: multi sections, multi ifaces, resolutions
    T = 1700000000 * 10**9
    def ts(res, ns):
        if res & 0x80: return (ns * (1 << (res & 0x7f))) // 10**9
        return ns // 10 ** (9 - res) if res <= 9 else ns * 10 ** (res - 9)
    sec1 = shb([(1, b'section one'), (2, b'x86_64'), (3, b'Linux'), (4, b'gen.py')])
    sec1 += idb(1, 65535, [(2, b'eth0'), (9, b'\x06')])
    sec1 += idb(101, 65535, [(2, b'tun0'), (9, b'\x09')])
    sec1 += idb(113, 0, [(2, b'any'), (9, b'\x83')])  # 2^-3?? unusual: 0.125s units
    sec1 += idb(1, 262144, [(2, b'eth1'), (9, b'\x94'), (14, struct.pack('<q', 100))])  # 2^-20 with tsoffset 100 s
    sec1 += nrb([('192.0.2.1', 'client.example'), ('192.0.2.2', 'server.example')])
    sec1 += dsb(0x544c534b, b'CLIENT_RANDOM 00 00\n')
    t = T
    for i, f in enumerate(conv[:3]):
        sec1 += epb(0, ts(6, t), eth(f), options=[(1, ('eth comment %d' % i).encode())]); t += 1_000_000
    for i, f in enumerate(c6):
        sec1 += epb(1, ts(9, t), f); t += 1_000_123
    sec1 += epb(2, ts(0x83, t), sll(u6[0])); t += 1_000_000_000
    sec1 += epb(3, ts(0x94, t - 100 * 10**9), eth(conv[3]), options=[(1, b'tsoffset +100 s')]); t += 1_000_000
    sec1 += isb(0, ts(6, t), [(2, struct.pack('<Q', ts(6, T))), (3, struct.pack('<Q', ts(6, t))), (4, struct.pack('<Q', 3)), (5, struct.pack('<Q', 0))])
    sec1 += cb(32473, b'not socklens, just a custom block')
    sec1 += block(0x12345678, b'unknown block body')
    sec1 += pb(0, ts(6, t), eth(conv[4])); t += 1_000_000
    e = '>'
    sec2 = shb([(1, b'section two, big endian')], e)
    sec2 += idb(276, 0, [(2, b'any'), (9, b'\x09')], e)
    sec2 += idb(1, 128, [(2, b'lo')], e)
    for f in conv[5:]:
        sec2 += epb(0, ts(9, t), sll2(f), e=e); t += 2_000_000
    sec2 += spb(eth(conv[5])[:128], len(eth(conv[5])), e)
    sec2 += epb(1, ts(6, t), eth(conv[6]), e=e); t += 1_000
    w('multi.pcapng', sec1 + sec2)
    # EPB with snaplen cut (caplen < origlen) and SPB only
    s3 = shb() + idb(1, 60) + b''.join(epb(0, ts(6, T + i * 1000000), eth(f)[:60], len(eth(f))) for i, f in enumerate(conv))
    w('epb-snap60.pcapng', s3)
    s4 = shb() + idb(1, 0) + b''.join(spb(eth(f)) for f in conv)
    w('spb-only.pcapng', s4)
    # tsresol ms and 10^-1, tsoffset negative
    s5 = shb() + idb(101, 0, [(9, b'\x03'), (14, struct.pack('<q', -3600))]) + b''.join(epb(0, ts(3, T + 3600 * 10**9 + i * 10**6), f) for i, f in enumerate(conv))
    w('tsres-ms-offset.pcapng', s5)

    w('eth-le-us.pcap.gz', gzip.compress(pcap(E), mtime=0))
    w('multi.pcapng.gz', gzip.compress(sec1 + sec2, mtime=0))


def tshark(path):
    argv = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        argv += ["-e", f]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return {int(r["frame.number"]): r for r in (dict(zip(FIELDS, line.split("\t")))
                                                 for line in out.splitlines())}


def ns(text):
    sec, _, frac = text.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])


def endpoint(addr, port, with_port):
    if not addr:
        return None
    if ":" in addr and with_port:
        addr = "[" + addr + "]"
    return f"{addr}:{port}" if with_port else addr


def compare(name, pkt, t, previous):
    """What differs between our packet record and tshark's frame."""
    diffs = []
    if t["frame.time_epoch"]:
        if pkt["time_ns"] != ns(t["frame.time_epoch"]):
            diffs.append(f"time {pkt['time_ns']} != {t['frame.time_epoch']}")
    elif previous is not None and pkt["time_ns"] != previous["time_ns"]:
        diffs.append("a packet without a timestamp does not keep the previous one's")
    if pkt.get("frame_length") != int(t["frame.len"]):
        diffs.append(f"frame length {pkt.get('frame_length')} != {t['frame.len']}")
    proto = pkt.get("protocol")
    src, dst = t["ip.src"] or t["ipv6.src"], t["ip.dst"] or t["ipv6.dst"]
    sport, dport = t["tcp.srcport"] or t["udp.srcport"], t["tcp.dstport"] or t["udp.dstport"]
    # a later fragment has no ports, for tshark and for us
    ports = proto in ("TCP", "UDP") and bool(sport)
    want = (endpoint(src, sport, ports), endpoint(dst, dport, ports))
    if (pkt.get("src"), pkt.get("dst")) != want:
        diffs.append(f"endpoints {pkt.get('src')} -> {pkt.get('dst')} != {want[0]} -> {want[1]}")
    if proto == "TCP" and t["tcp.flags"]:
        bits = int(t["tcp.flags"], 16)
        if pkt.get("flags") != ",".join(n for b, n in FLAGS if bits & b):
            diffs.append(f"flags {pkt.get('flags')} != {t['tcp.flags']}")
        if str(pkt.get("seq")) != t["tcp.seq"]:
            diffs.append(f"seq {pkt.get('seq')} != {t['tcp.seq']}")
        if str(pkt.get("ack", "")) != (t["tcp.ack"] if bits & 0x10 else ""):
            diffs.append(f"ack {pkt.get('ack')} != {t['tcp.ack']}")
        if str(pkt.get("length")) != t["tcp.len"]:
            diffs.append(f"length {pkt.get('length')} != {t['tcp.len']}")
    # a first fragment's length is what it carries (docs/EVENTS.md), not the header's
    if proto == "UDP" and "fragment" not in pkt.get("notes", "") and t["udp.length"]:
        if pkt.get("length") != int(t["udp.length"]) - 8:
            diffs.append(f"length {pkt.get('length')} != {int(t['udp.length']) - 8}")
    return [f"{name} frame {pkt['frame']}: {d}" for d in diffs]


def check_file(socklens, path, tmp):
    name = os.path.basename(path)
    events, pdf = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".pdf")
    run = subprocess.run([socklens, "show", path, "--events", events, "--diagram", pdf],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    problems = [] if run.returncode == 0 else [f"{name}: exit {run.returncode}: {run.stderr}"]
    frames = tshark(path)
    with open(events) as f:
        packets = [e for e in json.load(f)["events"] if e["event"] == "packet"]
    packets.sort(key=lambda e: e["frame"])
    numbers = [p["frame"] for p in packets]
    # every frame tshark lists is a packet of ours, but for pcapng Custom Blocks
    missing = sorted(set(frames) - set(numbers))
    custom = [n for n in missing if not frames[n]["frame.time_epoch"] and not frames[n]["ip.src"]]
    if missing != custom or len(set(numbers)) != len(numbers) or not set(numbers) <= set(frames):
        problems.append(f"{name}: frames {numbers}, tshark's {sorted(frames)}")
    previous = None
    for p in packets:
        if p["frame"] in frames:
            problems += compare(name, p, frames[p["frame"]], previous)
        previous = p
    words = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    if any(f["tcp.flags"] and int(f["tcp.flags"], 16) & 0x02 for f in frames.values()) \
            and "SYN" not in words:
        problems.append(f"{name}: the diagram has no SYN")
    return problems


def main():
    socklens = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="socklens-foreign-") as tmp:
        files = os.path.join(tmp, "files")
        os.mkdir(files)
        build(files)
        names = sorted(os.listdir(files))
        print(f"1..{len(names)}")
        failed = 0
        for n, name in enumerate(names, 1):
            problems = check_file(socklens, os.path.join(files, name), tmp)
            for p in problems[:10]:
                print(f"# {p}")
            failed += bool(problems)
            print(f"{'not ok' if problems else 'ok'} {n} - {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
