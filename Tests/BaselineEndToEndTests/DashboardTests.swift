// The dashboard end to end: a real collector, real reports (the sample audits, then synthetic reports over two more
// months), real headless Chromium. Sortable and filterable tables, the period picker and ?period=, the rank's
// tie-breaking rule, "no trend yet" with one month and lines with more, device pages with failures first and their
// evidence and fix inline, and the layout at 1280 and 390 px (screenshots, and the page's own overflow check).
import Foundation
import Testing

@Suite(.serialized) struct DashboardTests {
    static let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--enable-logging=stderr", "--v=0"]

    final class Browser {
        var consoleLines: [String] = []
        func run(_ args: [String]) throws -> RunResult {
            let bin = try #require(HTMLReportTests.chromium, "chromium not installed (make deps installs it)")
            let r = try BaselineEndToEndTests.run(bin, DashboardTests.flags + args, timeout: 120)
            consoleLines += r.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init)
            return r
        }
        func dom(_ url: String, width: Int = 1280) throws -> String { try run(["--window-size=\(width),900", "--dump-dom", url]).stdout }
        /// A screenshot at `width` px wide; returns its size in bytes (0 when missing or not a PNG).
        func shot(_ url: String, width: Int, to file: String) throws -> Int {
            let r = try run(["--window-size=\(width),1400", "--screenshot=\(file)", url])
            guard let data = FileManager.default.contents(atPath: file), data.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
                Issue.record("no PNG at \(file): \(r.stderr.suffix(400))"); return 0
            }
            let pngWidth = data.count > 24 ? data[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
            #expect(pngWidth == width, "the screenshot is \(pngWidth) px wide")
            return data.count
        }
    }

    /// The RGB of pixel (x, y) of an 8-bit RGB or RGBA PNG (Chromium's screenshots), decoded with Python's zlib.
    static func pixel(_ png: String, x: Int, y: Int) throws -> String {
        let code = """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read(); pos = 8; idat = b''; w = h = depth = ctype = 0
            while pos < len(data):
                n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
                if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
                if kind == b'IDAT': idat += body
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4; stride = w * bpp; raw = zlib.decompress(idat); prev = bytearray(stride)
            x, y = int(sys.argv[2]), int(sys.argv[3])
            for row in range(y + 1):
                f = raw[row * (stride + 1)]; line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
                for i in range(stride):
                    a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                    if f == 1: line[i] = (line[i] + a) & 255
                    elif f == 2: line[i] = (line[i] + b) & 255
                    elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                    elif f == 4:
                        p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                prev = line
            print('%02x%02x%02x' % tuple(prev[x * bpp:x * bpp + 3]))
            """
        let r = try python(["-c", code, png, "\(x)", "\(y)"])
        return r.code == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "error: \(r.stderr)"
    }

    func tokens(_ t: TempTree) throws -> String {
        try t.write("tokens", "lab dashboard-test-token-0123456789\n")
        return t.sub("tokens")
    }

    @Test func oneMonthSaysNoTrendYetAndExplainsTheRank() throws {
        let t = try TempTree()
        let db = t.sub("fleet.sqlite")
        #expect(try collector(["ingest"] + (try sampleReports(t)) + ["--db", db]).code == 0)
        let server = try CollectorServer(db: db, tokens: try tokens(t))
        let browser = Browser()
        let dom = try browser.dom(server.base + "/")
        #expect(dom.contains("id=\"no-trend\""), "one month: no trend yet")
        #expect(dom.contains("No trend yet"))
        #expect(!dom.contains("<polyline"), "no line through one point")
        #expect(dom.contains("<circle"), "the month's points are drawn")
        #expect(dom.contains("<svg id=\"trend\""))
        // The picker offers all time and the one month.
        #expect(dom.components(separatedBy: "<option ").count - 1 == 2)
        #expect(dom.contains("<option value=\"all\" selected=\"\">"))
        #expect(dom.contains("<option value=\"2026-11\">"))
        // The rank's tie-breaking in words.
        #expect(dom.contains("id=\"rank-rule\""))
        #expect(dom.contains("Ties are broken by vendor name in alphabetical order"))
        #expect(browser.consoleLines.isEmpty, "console messages: \(browser.consoleLines)")
    }

    @Test func pagesSortFilterPickPeriodsShowFailuresFirstAndFitBothWidths() throws {
        let t = try TempTree()
        let db = t.sub("fleet.sqlite")
        let files = try sampleReports(t) + (try synthReports(t, count: 60, perFile: 60, months: "2026-09,2026-10"))
        #expect(try collector(["ingest"] + files + ["--db", db]).code == 0)
        let server = try CollectorServer(db: db, tokens: try tokens(t))
        let browser = Browser()

        // Overview: sortable headers (the script marks them), a search box per table, three months and lines.
        let overview = try browser.dom(server.base + "/")
        #expect(overview.contains("<table id=\"vendors\" class=\"sortable\">"))
        #expect(overview.contains("<th scope=\"col\" data-sort=\"\" aria-sort=\"none\" tabindex=\"0\">Rank</th>"), "sortable header markup")
        #expect(overview.contains("<input type=\"search\" data-filter=\"vendors\""), "search box")
        #expect(overview.contains("<polyline"), "trend lines over three months")
        #expect(!overview.contains("id=\"no-trend\""))
        for m in ["2026-09", "2026-10", "2026-11"] { #expect(overview.contains("<option value=\"\(m)\">"), "\(m) in the picker") }
        #expect(overview.contains("<option value=\"all\" selected=\"\">"))
        #expect(overview.contains("Ties are broken by vendor name in alphabetical order"))

        // The script sorts and filters in Chromium (a link can carry the view: #sort=TABLE:COLUMN[:desc], #filter=TABLE:TEXT).
        func position(_ dom: String, _ s: String) -> Int { dom.range(of: s).map { dom.distance(from: dom.startIndex, to: $0.lowerBound) } ?? -1 }
        let ascending = try browser.dom(server.base + "/#sort=vendors:1")
        #expect(ascending.contains("aria-sort=\"ascending\" tabindex=\"0\">Vendor</th>"))
        #expect(position(ascending, ">Acme Networks</a>") < position(ascending, ">Fernwerk</a>"))
        #expect(position(ascending, ">Fernwerk</a>") < position(ascending, ">Vendor00</a>"))
        let descending = try browser.dom(server.base + "/#sort=vendors:1:desc")
        #expect(descending.contains("aria-sort=\"descending\" tabindex=\"0\">Vendor</th>"))
        #expect(position(descending, ">Vendor07</a>") < position(descending, ">Vendor00</a>"))
        #expect(position(descending, ">Vendor00</a>") < position(descending, ">Acme Networks</a>"))
        let filtered = try browser.dom(server.base + "/#filter=vendors:fernwerk")
        #expect(filtered.contains("id=\"vendors-count\">1 of 12 row(s)</span>"), "one vendor row left of 12")
        #expect(filtered.contains("<tr hidden=\"\"><td class=\"n\">"), "the other rows are hidden")

        // ?period= selects a month: the picker shows it, the page says so, links keep it; an unknown month is 404.
        let october = try browser.dom(server.base + "/?period=2026-10")
        #expect(october.contains("<option value=\"2026-10\" selected=\"\">"))
        #expect(october.contains("Period: 2026-10"))
        #expect(october.contains("?period=2026-10\">Vendor0"), "vendor links keep the period")
        #expect(!october.contains(">Acme Networks</a>"), "the sample audits are of November")
        #expect(try http("GET", server.base + "/?period=1999-01").status == 404)
        // The rule holds in the table: ranks count up, scores never go down, equal scores are in vendor-name order
        // (this fleet has such a tie in October).
        let tableStart = try #require(october.range(of: "<table id=\"vendors\"")).upperBound
        let scorecard = october[tableStart...]
        let body = scorecard[try #require(scorecard.range(of: "<tbody>")).upperBound..<(try #require(scorecard.range(of: "</tbody>")).lowerBound)]
        /// The text of each cell of a row (tags removed).
        func cells(_ row: String) -> [String] {
            row.components(separatedBy: "<td").dropFirst().map { cell in
                var text = "", inTag = false
                for c in cell.drop(while: { $0 != ">" }).dropFirst() {
                    if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { text.append(c) }
                }
                return text
            }
        }
        let rows: [(rank: Int, vendor: String, score: Int)] = body.components(separatedBy: "</tr>").compactMap { row in
            let c = cells(row)
            guard c.count > 3, let rank = Int(c[0]), let score = Int(c[3]) else { return nil }
            return (rank, c[1], score)
        }
        #expect(rows.count == 8, "eight vendors in October: \(rows)")
        #expect(rows.map { $0.rank } == Array(1...rows.count))
        var ties = 0
        for (a, b) in zip(rows, rows.dropFirst()) {
            #expect(a.score <= b.score, "\(a) before \(b)")
            if a.score == b.score { ties += 1; #expect(a.vendor < b.vendor, "a tie in name order: \(a) before \(b)") }
        }
        #expect(ties > 0, "the fleet has a tie to check: \(rows)")

        // Vendor page, all time and one month.
        let vendor = try browser.dom(server.base + "/vendors/Acme%20Networks")
        #expect(vendor.contains("<table id=\"units\" class=\"sortable\">"))
        #expect(vendor.contains("<input type=\"search\" data-filter=\"units\""))
        #expect(vendor.contains("<option value=\"2026-11\">"))
        let vendorOct = try browser.dom(server.base + "/vendors/Vendor01?period=2026-10")
        #expect(vendorOct.contains("<option value=\"2026-10\" selected=\"\">"))
        #expect(vendorOct.contains("<table id=\"builds\" class=\"sortable\">"))
        #expect(vendorOct.contains("2026-10-"), "units audited in October")
        #expect(try http("GET", server.base + "/vendors/Nobody").status == 404)
        let quiet = try http("GET", server.base + "/vendors/Acme%20Networks?period=2026-10")
        #expect(quiet.status == 200 && quiet.body.contains("No reports of this vendor in 2026-10"), "a known vendor without reports that month")
        #expect(try http("GET", server.base + "/vendors/Acme%20Networks?period=1999-01").status == 404)

        // Device page of an Acme unit: failures first, then the rest, passes last, evidence and fix inline.
        let link = try #require(vendor.range(of: "href=\"/devices/")).upperBound
        let deviceURL = server.base + "/devices/" + String(vendor[link...].prefix { $0 != "\"" })
        let device = try browser.dom(deviceURL)
        let fails = device.ranges(of: "class=\"st-fail\""), passes = device.ranges(of: "class=\"st-pass\"")
        #expect(!fails.isEmpty && !passes.isEmpty)
        if let lastFail = fails.last, let firstPass = passes.first { #expect(lastFail.lowerBound < firstPass.lowerBound, "failures before passes") }
        if let w = device.range(of: "class=\"st-warn\""), let f = fails.last { #expect(f.lowerBound < w.lowerBound, "failures before warnings") }
        let cred02 = try #require(device.range(of: "id=\"f-CRED-02\"")).lowerBound
        let row = device[cred02...].prefix { $0 != "\n" }
        #expect(row.contains("<ul class=\"evidence\"><li><code>/etc/shadow:1</code>"), "evidence inline: \(row.prefix(600))")
        #expect(row.contains("<strong>Fix:</strong> Do not ship a password"), "fix inline")
        #expect(device.contains("<table id=\"findings\" class=\"sortable\">"))

        // Layout: at 390 px the page body does not scroll sideways (tables scroll in their own box); screenshots at both widths.
        for (name, url) in [("overview", server.base + "/"), ("vendor", server.base + "/vendors/Acme%20Networks"), ("device", deviceURL)] {
            for width in [1280, 390] {
                let dom = try browser.dom(url, width: width)
                if width == 1280 && name != "device" {
                    #expect(dom.contains("data-scrolls=\"false\"") && !dom.contains("data-scrolls=\"true\""), "\(name): every table fits 1280 px")
                }
                #expect(dom.contains("data-overflow=\"false\""), "\(name) at \(width) px overflows: \(dom.range(of: "data-scroll-width=\"").map { String(dom[$0.upperBound...].prefix { $0 != "\"" }) + " px wide" } ?? "no check ran")")
                let size = try browser.shot(url, width: width, to: t.sub("\(name)-\(width).png"))
                #expect(size > 8_000, "\(name) at \(width) px: a real screenshot, \(size) bytes")
                // The screenshot is laid out at the width asked for: the page's own check paints green when nothing overflows.
                let check = t.sub("\(name)-\(width)-check.png")
                _ = try browser.shot(url + "#layoutcheck", width: width, to: check)
                #expect(try DashboardTests.pixel(check, x: 8, y: 8) == "00ff00", "\(name) at \(width) px: the page overflows sideways")
            }
        }
        #expect(browser.consoleLines.isEmpty, "console messages: \(browser.consoleLines)")
    }
}
