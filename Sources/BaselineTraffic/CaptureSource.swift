// Where packets come from: a pcap or pcapng file (pcap_open_offline) or a live interface with a BPF filter
// (pcap_create/pcap_activate), through libpcap. Optionally every packet is also written to a capture file.
import CPcap
import Glibc

public struct CaptureError: Error {
    public let message: String
    public init(_ m: String) { message = m }
}

public enum NextPacket {
    case packet(UnsafeRawBufferPointer, wireLength: Int, time: Double)
    case timeout
    case end
    case failed(String)
}

public final class CaptureSource {
    let handle: OpaquePointer
    public let dlt: Int32
    public let linkType: LinkType?
    public let label: String
    var dumper: OpaquePointer? = nil
    var savePath: String? = nil
    var saveTemp: String? = nil
    var liveFD: Int32 = -1          // live captures: polled with a timeout, so a quiet interface never blocks `next()`

    init(handle: OpaquePointer, label: String) {
        self.handle = handle
        self.label = label
        dlt = pcap_datalink(handle)
        linkType = LinkType.from(dlt: dlt)
    }

    deinit {
        if let d = dumper { pcap_dump_close(d) }
        if let t = saveTemp { unlink(t) }
        pcap_close(handle)
    }

    public var linkTypeName: String {
        if let l = linkType { return l.name }
        if let n = pcap_datalink_val_to_name(dlt) { return String(cString: n) + " (\(dlt))" }
        return "link type \(dlt)"
    }

    /// Opens a capture file. Only regular files are opened (a FIFO or device would block or never end).
    public static func open(file path: String) throws(CaptureError) -> CaptureSource {
        var st = stat()
        if stat(path, &st) != 0 { throw CaptureError("\(path): \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw CaptureError("\(path): is a directory, expected a pcap or pcapng capture file") }
        if (st.st_mode & S_IFMT) != S_IFREG { throw CaptureError("\(path): not a regular file, expected a pcap or pcapng capture file") }
        if st.st_size == 0 { throw CaptureError("\(path): empty file, expected a pcap or pcapng capture") }
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let h = pcap_open_offline(path, &err) else {
            throw CaptureError("\(path): not a readable pcap or pcapng capture (libpcap: \(String(cString: err)))")
        }
        return CaptureSource(handle: h, label: path)
    }

    /// Opens a live interface. `filter` is a BPF expression (tcpdump syntax).
    public static func open(interface: String, filter: String?, snaplen: Int32 = 262_144) throws(CaptureError) -> CaptureSource {
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let h = pcap_create(interface, &err) else { throw CaptureError("interface \(interface): \(String(cString: err))") }
        pcap_set_snaplen(h, snaplen)
        pcap_set_promisc(h, 0)
        pcap_set_timeout(h, 100)
        pcap_set_immediate_mode(h, 1)
        pcap_set_buffer_size(h, 16 << 20)
        let rc = pcap_activate(h)
        if rc < 0 {
            let why = String(cString: pcap_geterr(h))
            pcap_close(h)
            let hint = rc == PCAP_ERROR_PERM_DENIED ? " (capturing needs root or CAP_NET_RAW)" : ""
            throw CaptureError("interface \(interface): cannot capture: \(why)\(hint)")
        }
        let src = CaptureSource(handle: h, label: "live:" + interface)
        // Non-blocking reads polled with a 100 ms timeout: in immediate mode a blocking read on a quiet interface
        // would wait for the next packet for ever, and --duration would never be honoured.
        if pcap_setnonblock(h, 1, &err) != 0 { throw CaptureError("interface \(interface): \(String(cString: err))") }
        src.liveFD = pcap_get_selectable_fd(h)
        if let f = filter, !f.isEmpty {
            var prog = bpf_program()
            if pcap_compile(h, &prog, f, 1, PCAP_NETMASK_UNKNOWN) != 0 {
                throw CaptureError("--filter '\(f)': \(String(cString: pcap_geterr(h)))")
            }
            defer { pcap_freecode(&prog) }
            if pcap_setfilter(h, &prog) != 0 { throw CaptureError("--filter '\(f)': \(String(cString: pcap_geterr(h)))") }
        }
        return src
    }

    /// Also writes every packet read to `path` (pcap format), replacing it atomically when `finishSaving` is called.
    public func save(to path: String) throws(CaptureError) {
        let temp = path + ".part-\(getpid())"
        guard let d = pcap_dump_open(handle, temp) else { throw CaptureError("\(path): cannot write capture: \(String(cString: pcap_geterr(handle)))") }
        dumper = d; savePath = path; saveTemp = temp
    }

    public func finishSaving() throws(CaptureError) {
        guard let d = dumper, let path = savePath, let temp = saveTemp else { return }
        pcap_dump_flush(d)
        pcap_dump_close(d)
        dumper = nil
        if rename(temp, path) != 0 { throw CaptureError("\(path): cannot write capture: \(String(cString: strerror(errno)))") }
        saveTemp = nil
    }

    public func next() -> NextPacket {
        if liveFD >= 0 {
            var p = pollfd(fd: liveFD, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) == 0 { return .timeout }
        }
        var hdr: UnsafeMutablePointer<pcap_pkthdr>? = nil
        var data: UnsafePointer<UInt8>? = nil
        let rc = pcap_next_ex(handle, &hdr, &data)
        switch rc {
        case 1:
            guard let h = hdr, let d = data else { return .failed("libpcap returned no packet") }
            if let dm = dumper { pcap_dump(UnsafeMutableRawPointer(dm).assumingMemoryBound(to: UInt8.self), h, d) }
            let t = Double(h.pointee.ts.tv_sec) + Double(h.pointee.ts.tv_usec) / 1_000_000
            return .packet(UnsafeRawBufferPointer(start: d, count: Int(h.pointee.caplen)), wireLength: Int(h.pointee.len), time: t)
        case 0: return .timeout
        case PCAP_ERROR_BREAK: return .end
        default: return .failed(String(cString: pcap_geterr(handle)))
        }
    }

    /// Makes a blocked `next()` return (live capture, from a signal handler's flag check).
    public func breakLoop() { pcap_breakloop(handle) }

    /// Packets the kernel dropped during a live capture.
    public var kernelDrops: Int? {
        var s = pcap_stat()
        return pcap_stats(handle, &s) == 0 ? Int(s.ps_drop) : nil
    }
}
