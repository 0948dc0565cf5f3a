#!/usr/bin/python3
"""Small pcap/pcapng tool for Tests/scripts/record-captures.sh (standard library only: struct, hashlib).

  pcaptool.py info FILE...                   one line per file: name format linktypes packets status [per-interface counts]
  pcaptool.py rawip IN OUT                   Ethernet classic pcap -> LINKTYPE_RAW (101) by dropping each 14-byte Ethernet header
  pcaptool.py reorder IN OUT --server-port P [--swap-every 7] [--dup-every 11] [--dup-delay 3]
                                             swaps / duplicates the server->client TCP data segments deterministically
  pcaptool.py truncate IN OUT [--fraction 0.6]
                                             the first N bytes of IN, N in the middle of a record's packet data
  pcaptool.py synth-unknown OUT              valid classic pcap, link type 147 (LINKTYPE_USER0), a few records
  pcaptool.py synth-empty OUT                valid classic pcap global header (Ethernet), no records
  pcaptool.py tcp-check FILE CONNECTIONS [--quiet]
                                             checks that the capture holds exactly CONNECTIONS TCP connections, each
                                             complete: handshake, every byte of both directions (no gap in the
                                             sequence space), FIN both ways and the last ACK; prints one line each.
                                             CONNECTIONS "any": any number, and only lost bytes are an error

Every output file is written to OUT.tmp and renamed, so a failed run leaves no half-written file.
Errors exit with status 1 and a message on stderr.
"""
import os
import random
import struct
import sys

LINKTYPES = {0: "NULL", 1: "EN10MB", 101: "RAW", 113: "LINUX_SLL", 147: "USER0", 228: "IPV4", 229: "IPV6", 276: "LINUX_SLL2"}
MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
PCAPNG_SHB = 0x0A0D0D0A


class Fail(Exception):
    pass


def lt_name(lt):
    return LINKTYPES.get(lt, "LINKTYPE_%d" % lt)


# ---------------------------------------------------------------- classic pcap

def read_pcap(path):
    """Returns (header dict, records, truncated). A record is [ts_sec, ts_frac, orig_len, data]."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 24:
        raise Fail("%s: %d bytes, shorter than a pcap global header" % (path, len(buf)))
    for endian in ("<", ">"):
        magic = struct.unpack(endian + "I", buf[:4])[0]
        if magic in (MAGIC_US, MAGIC_NS):
            break
    else:
        raise Fail("%s: not a classic pcap file (magic %s)" % (path, buf[:4].hex()))
    vmaj, vmin, _tz, _sig, snaplen, linktype = struct.unpack(endian + "HHiIII", buf[4:24])
    hdr = {"endian": endian, "magic": magic, "vmaj": vmaj, "vmin": vmin, "snaplen": snaplen,
           "linktype": linktype & 0x0FFFFFFF, "raw_header": buf[:24]}
    recs, off, truncated = [], 24, False
    while off < len(buf):
        if off + 16 > len(buf):
            truncated = True
            break
        ts_sec, ts_frac, caplen, orig = struct.unpack(endian + "IIII", buf[off:off + 16])
        if off + 16 + caplen > len(buf):
            truncated = True
            break
        recs.append([ts_sec, ts_frac, orig, buf[off + 16:off + 16 + caplen], off])
        off += 16 + caplen
    return hdr, recs, truncated


def write_pcap(path, hdr, recs, linktype=None, snaplen=None):
    e = hdr["endian"]
    lt = hdr["linktype"] if linktype is None else linktype
    sl = hdr["snaplen"] if snaplen is None else snaplen
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", hdr["magic"], 2, 4, 0, 0, sl, lt))
        for r in recs:
            ts_sec, ts_frac, orig, data = r[0], r[1], r[2], r[3]
            f.write(struct.pack(e + "IIII", ts_sec, ts_frac, len(data), orig))
            f.write(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- pcapng (reading only, for `info`)

def read_pcapng_counts(buf):
    """Returns (linktypes per interface in file order, packets per interface, truncated)."""
    off, ifaces, counts, truncated, e = 0, [], [], False, "<"
    section_base = 0
    while off < len(buf):
        if off + 12 > len(buf):
            truncated = True
            break
        btype = struct.unpack("<I", buf[off:off + 4])[0]
        if btype == PCAPNG_SHB:
            bom = buf[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            section_base = len(ifaces)
        btype, blen = struct.unpack(e + "II", buf[off:off + 8])
        if blen < 12 or blen % 4 or off + blen > len(buf):
            truncated = True
            break
        body = buf[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
            counts.append(0)
        elif btype == 6:  # EPB
            ifid = struct.unpack(e + "I", body[:4])[0] + section_base
            if ifid >= len(counts):
                raise Fail("EPB for undeclared interface %d" % ifid)
            counts[ifid] += 1
        elif btype == 3:  # SPB: always interface 0 of the section
            counts[section_base] += 1
        off += blen
    return ifaces, counts, truncated


def info(path):
    name = os.path.basename(path)
    with open(path, "rb") as f:
        head = f.read(4)
    size = os.path.getsize(path)
    if size == 0:
        return "%s empty-file - 0 empty" % name
    if len(head) == 4 and struct.unpack("<I", head)[0] == PCAPNG_SHB:
        with open(path, "rb") as f:
            buf = f.read()
        ifaces, counts, truncated = read_pcapng_counts(buf)
        lts = ",".join(lt_name(lt) for lt in ifaces)
        per_if = " ".join("if%d=%s:%d" % (i, lt_name(lt), c) for i, (lt, c) in enumerate(zip(ifaces, counts)))
        return "%s pcapng %s %d %s %s" % (name, lts, sum(counts), "truncated" if truncated else "ok", per_if)
    try:
        hdr, recs, truncated = read_pcap(path)
    except Fail:
        return "%s not-a-capture - 0 unreadable" % name
    return "%s pcap %s %d %s snaplen=%d" % (name, lt_name(hdr["linktype"]), len(recs),
                                             "truncated" if truncated else "ok", hdr["snaplen"])


# ---------------------------------------------------------------- packet parsing for reorder

def tcp_of(linktype, data):
    """(ip_header_offset, src_port, dst_port, payload_len) of an IPv4/IPv6 TCP packet, else None."""
    if linktype == 1:
        if len(data) < 14:
            return None
        etype = struct.unpack("!H", data[12:14])[0]
        ip = 14
    elif linktype == 101:
        etype = {4: 0x0800, 6: 0x86DD}.get(data[0] >> 4 if data else 0)
        ip = 0
    else:
        raise Fail("reorder: link type %s not supported" % lt_name(linktype))
    if etype == 0x0800 and len(data) >= ip + 20:
        ihl = (data[ip] & 0x0F) * 4
        total = struct.unpack("!H", data[ip + 2:ip + 4])[0]
        if data[ip + 9] != 6:
            return None
        tcp, payload_total = ip + ihl, total - ihl
    elif etype == 0x86DD and len(data) >= ip + 40:
        if data[ip + 6] != 6:
            return None
        tcp, payload_total = ip + 40, struct.unpack("!H", data[ip + 4:ip + 6])[0]
    else:
        return None
    if len(data) < tcp + 20:
        return None
    sport, dport = struct.unpack("!HH", data[tcp:tcp + 4])
    doff = (data[tcp + 12] >> 4) * 4
    return ip, sport, dport, payload_total - doff


def cmd_reorder(args):
    src, dst = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    port = int(opts["--server-port"])
    swap_every = int(opts.get("--swap-every", 7))
    dup_every = int(opts.get("--dup-every", 11))
    dup_delay = int(opts.get("--dup-delay", 3))
    hdr, recs, truncated = read_pcap(src)
    if truncated:
        raise Fail("%s is truncated" % src)
    lt = hdr["linktype"]
    data_pos = []  # record positions of server->client segments carrying data
    for i, r in enumerate(recs):
        t = tcp_of(lt, r[3])
        if t and t[1] == port and t[3] > 0:
            data_pos.append(i)
    if len(data_pos) < max(swap_every, dup_every) * 2:
        raise Fail("only %d server->client data segments on port %d" % (len(data_pos), port))
    original = [list(r) for r in recs]
    out = [list(r) for r in recs]
    swaps, j = 0, swap_every - 1
    while j < len(data_pos) - 1:
        # the segment and the next data segment trade places, if they are neighbouring records (no ACK between them
        # that acknowledges the first); else the next such pair. Each record keeps its position's timestamp.
        k = j
        while k < len(data_pos) - 1 and data_pos[k + 1] != data_pos[k] + 1:
            k += 1
        if k >= len(data_pos) - 1:
            break
        a, b = data_pos[k], data_pos[k + 1]
        out[a][2], out[a][3], out[b][2], out[b][3] = out[b][2], out[b][3], out[a][2], out[a][3]
        swaps += 1
        j = max(j + swap_every, k + 2)
    inserts = {}
    dups = 0
    for j in range(dup_every - 1, len(data_pos), dup_every):
        a = data_pos[j]
        after = min(a + dup_delay, len(recs) - 1)
        inserts.setdefault(after, []).append(original[a])
        dups += 1
    final = []
    for i, r in enumerate(out):
        final.append(r)
        for d in inserts.get(i, []):
            # a retransmission: the same segment again, stamped with the time of the record it follows
            final.append([r[0], r[1], d[2], d[3]])
    write_pcap(dst, hdr, final)
    print("data_segments=%d swapped_pairs=%d duplicated=%d records_in=%d records_out=%d"
          % (len(data_pos), swaps, dups, len(recs), len(final)))


def packets(path):
    """(linktype, data, orig_len) of every packet of a classic pcap or pcapng file."""
    with open(path, "rb") as f:
        head = f.read(4)
    if len(head) == 4 and struct.unpack("<I", head)[0] == PCAPNG_SHB:
        with open(path, "rb") as f:
            buf = f.read()
        off, ifaces, e = 0, [], "<"
        while off + 12 <= len(buf):
            if struct.unpack("<I", buf[off:off + 4])[0] == PCAPNG_SHB:
                e = "<" if buf[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                ifaces = []
            btype, blen = struct.unpack(e + "II", buf[off:off + 8])
            if blen < 12 or off + blen > len(buf):
                raise Fail("%s: truncated pcapng block at %d" % (path, off))
            body = buf[off + 8:off + blen - 4]
            if btype == 1:
                ifaces.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6:
                ifid, _hi, _lo, caplen, orig = struct.unpack(e + "IIIII", body[:20])
                yield ifaces[ifid], body[20:20 + caplen], orig
            off += blen
        return
    hdr, recs, truncated = read_pcap(path)
    if truncated:
        raise Fail("%s is truncated" % path)
    for r in recs:
        yield hdr["linktype"], r[3], r[2]


def ip_offset(linktype, data):
    """(offset of the IP header, 4 or 6) or None."""
    if linktype == 1:
        proto, off = struct.unpack("!H", data[12:14])[0] if len(data) >= 14 else 0, 14
    elif linktype == 113:  # LINUX_SLL: protocol in bytes 14-15
        proto, off = struct.unpack("!H", data[14:16])[0] if len(data) >= 16 else 0, 16
    elif linktype == 276:  # LINUX_SLL2: protocol in bytes 0-1
        proto, off = struct.unpack("!H", data[0:2])[0] if len(data) >= 20 else 0, 20
    elif linktype == 101:
        proto, off = {4: 0x0800, 6: 0x86DD}.get(data[0] >> 4 if data else 0, 0), 0
    else:
        return None
    return {0x0800: (off, 4), 0x86DD: (off, 6)}.get(proto)


def tcp_segment(linktype, data):
    """(src, dst, sport, dport, seq, ack, flags, payload_len) or None; lengths from the IP header (snaplen-safe)."""
    ipo = ip_offset(linktype, data)
    if not ipo:
        return None
    off, ver = ipo
    if ver == 4:
        if len(data) < off + 20 or data[off + 9] != 6:
            return None
        ihl = (data[off] & 0x0F) * 4
        plen = struct.unpack("!H", data[off + 2:off + 4])[0] - ihl
        src, dst, t = data[off + 12:off + 16], data[off + 16:off + 20], off + ihl
    else:
        if len(data) < off + 40 or data[off + 6] != 6:
            return None
        plen = struct.unpack("!H", data[off + 4:off + 6])[0]
        src, dst, t = data[off + 8:off + 24], data[off + 24:off + 40], off + 40
    if len(data) < t + 14:
        return None
    sport, dport, seq, ack = struct.unpack("!HHII", data[t:t + 12])
    doff, flags = (data[t + 12] >> 4) * 4, data[t + 13]
    return src, dst, sport, dport, seq, ack, flags, plen - doff


class Direction:
    """One direction of a TCP connection: which sequence numbers (relative to the ISN) the capture holds."""

    def __init__(self, isn):
        self.isn = isn
        self.next = 1          # relative sequence number of the first byte not yet seen in order
        self.ahead = {}        # relative seq -> end, segments seen beyond a hole (reordered or after a loss)
        self.fin_end = None    # relative seq just past the FIN
        self.reordered = 0
        self.max_end = 1

    def rel(self, seq):
        return (seq - self.isn) & 0xFFFFFFFF

    def add(self, seq, length, fin):
        start = self.rel(seq)
        end = start + length + (1 if fin else 0)
        if fin:
            self.fin_end = end
        self.max_end = max(self.max_end, end)
        if end <= self.next:
            return  # a retransmission of bytes already seen
        if start > self.next:
            self.ahead[start] = max(end, self.ahead.get(start, 0))
            self.reordered += 1
            return
        self.next = end
        while True:  # close the holes that this segment filled
            done = [k for k in self.ahead if k <= self.next]
            if not done:
                break
            for k in done:
                self.next = max(self.next, self.ahead.pop(k))

    def complete(self):
        return self.fin_end is not None and not self.ahead and self.next >= self.fin_end

    def payload_bytes(self):
        return max(self.next - 1 - (1 if self.fin_end is not None and self.next >= self.fin_end else 0), 0)


def cmd_tcp_check(args):
    path, want = args[0], (None if args[1] == "any" else int(args[1]))
    quiet = "--quiet" in args[2:]
    SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10
    conns, order = {}, []  # (client endpoint, server endpoint) -> state
    for lt, data, _orig in packets(path):
        seg = tcp_segment(lt, data)
        if not seg:
            continue
        src, dst, sport, dport, seq, ack, flags, plen = seg
        a, b = (src, sport), (dst, dport)
        if flags & SYN and not flags & ACK:
            if (a, b) in conns and conns[(a, b)]["dir"][a].isn == seq:
                continue  # a retransmitted SYN
            # a new connection (also when the client reuses the port of an earlier one)
            conns[(a, b)] = {"dir": {a: Direction(seq), b: None}, "lastack": False, "rst": False}
            order.append(((a, b), conns[(a, b)]))
            continue
        key = (a, b) if (a, b) in conns else (b, a) if (b, a) in conns else None
        if key is None:
            raise Fail("a TCP segment port %d -> %d of a connection whose SYN is not in the capture" % (sport, dport))
        c = conns[key]
        if flags & SYN:  # SYN/ACK
            if c["dir"][a] is None:
                c["dir"][a] = Direction(seq)
            continue
        if c["dir"][a] is None:
            raise Fail("port %d -> %d: a segment before the SYN/ACK" % (sport, dport))
        if flags & RST:
            c["rst"] = True
            continue
        mine, theirs = c["dir"][a], c["dir"][b]
        # the last ACK: this side's FIN went out before, and this acknowledges the other side's FIN
        if flags & ACK and mine.fin_end is not None and theirs.fin_end is not None \
                and theirs.rel(ack) == theirs.fin_end:
            c["lastack"] = True
        mine.add(seq, plen, bool(flags & FIN))
    problems, closed, resets = [], 0, 0
    for i, (key, c) in enumerate(order):
        (_ca, cp), (_sa, sp) = key
        cd, sd = c["dir"][key[0]], c["dir"][key[1]]
        what = []
        if sd is None:
            what.append("no SYN/ACK")
        else:
            for name, d in (("client", cd), ("server", sd)):
                if d.ahead:
                    what.append("%s bytes missing (hole at relative seq %d)" % (name, d.next))
                elif d.fin_end is None:
                    what.append("no FIN from the %s" % name)
            if not what and not c["lastack"]:
                what.append("no ACK of the last FIN")
        if c["rst"]:
            what.append("reset")
            resets += 1
        if not what:
            closed += 1
        elif want is None:  # any number of connections: only lost bytes or a missing SYN/ACK count as problems
            what = [w for w in what if "missing" in w or "SYN/ACK" in w]
        if quiet and not what:
            continue
        print("conn %d: port %d -> %d: client %d bytes, server %d bytes, %d segments out of order%s"
              % (i + 1, cp, sp, cd.payload_bytes(), sd.payload_bytes() if sd else 0,
                 cd.reordered + (sd.reordered if sd else 0), ": " + ", ".join(what) if what else ""))
        if what:
            problems.append("connection %d (port %d -> %d): %s" % (i + 1, cp, sp, ", ".join(what)))
    print("connections=%d complete=%d reset=%d" % (len(order), closed, resets))
    if want is not None and len(order) != want:
        problems.append("%d TCP connections, expected %d" % (len(order), want))
    if problems:
        raise Fail("; ".join(problems))


def cmd_rawip(args):
    src, dst = args
    hdr, recs, truncated = read_pcap(src)
    if truncated:
        raise Fail("%s is truncated" % src)
    if hdr["linktype"] != 1:
        raise Fail("%s: link type %s, expected EN10MB" % (src, lt_name(hdr["linktype"])))
    out = []
    for r in recs:
        data = r[3]
        if len(data) < 14 or struct.unpack("!H", data[12:14])[0] not in (0x0800, 0x86DD):
            raise Fail("%s: record at offset %d is not IPv4/IPv6 over Ethernet" % (src, r[4]))
        out.append([r[0], r[1], r[2] - 14, data[14:]])
    write_pcap(dst, hdr, out, linktype=101, snaplen=max(hdr["snaplen"] - 14, 1))
    print("records=%d" % len(out))


def cmd_truncate(args):
    src, dst = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    fraction = float(opts.get("--fraction", 0.6))
    hdr, recs, truncated = read_pcap(src)
    if truncated or len(recs) < 3:
        raise Fail("%s must be a complete capture with at least 3 records" % src)
    size = os.path.getsize(src)
    target = int(size * fraction)
    for k, r in enumerate(recs):
        start, caplen = r[4], len(r[3])
        if start <= target < start + 16 + caplen:
            break
    if caplen < 2:  # no middle in a 0- or 1-byte packet: take the next record with a body
        k, r = next((i, x) for i, x in enumerate(recs) if i > k and len(x[3]) >= 2)
        start, caplen = r[4], len(r[3])
    n = start + 16 + caplen // 2
    with open(src, "rb") as f:
        data = f.read(n)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, dst)
    print("bytes=%d of=%d complete_records=%d cut_record=%d cut_record_offset=%d cut_record_caplen=%d"
          % (n, size, k, k + 1, start, caplen))


def cmd_synth_unknown(args):
    (dst,) = args
    rng = random.Random("baseline-user0")
    hdr = {"endian": "<", "magic": MAGIC_US, "snaplen": 65535, "linktype": 147}
    recs = []
    for i in range(5):
        n = 20 + 13 * i
        recs.append([1767225600 + i, 1000 * i, n, b"USER0" + rng.randbytes(n - 5)])
    write_pcap(dst, hdr, recs)
    print("records=%d" % len(recs))


def cmd_synth_empty(args):
    (dst,) = args
    write_pcap(dst, {"endian": "<", "magic": MAGIC_US, "snaplen": 262144, "linktype": 1}, [])
    print("records=0")


def main(argv):
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    try:
        if cmd == "info":
            for p in args:
                print(info(p))
        elif cmd == "rawip":
            cmd_rawip(args)
        elif cmd == "reorder":
            cmd_reorder(args)
        elif cmd == "truncate":
            cmd_truncate(args)
        elif cmd == "synth-unknown":
            cmd_synth_unknown(args)
        elif cmd == "synth-empty":
            cmd_synth_empty(args)
        elif cmd == "tcp-check":
            cmd_tcp_check(args)
        else:
            sys.exit(__doc__)
    except (Fail, OSError, ValueError, KeyError, StopIteration) as e:
        sys.stderr.write("pcaptool %s: %s\n" % (cmd, e))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
