// Issue 18: `serve` writes an access log, one line a request, with no token in it.
import Foundation
import Testing

@Suite struct AccessLogTests {
    @Test func oneLineARequestAndNoToken() throws {
        let t = try TempTree()
        let token = "access-log-secret-token-0123456789"
        try t.write("tokens", "fleet-a \(token)\n")
        let server = try CollectorServer(db: t.sub("fleet.sqlite"), tokens: t.sub("tokens"), extra: ["--access-log", t.sub("access.log")])
        defer { server.stop() }
        let report = t.sub("r.json")
        let a = try baseline(["audit", Repo.path("Firmware-samples/yocto-scarthgap-acme-rauc"), "--profile", "acme-gateway", "--format", "json",
                              "--date", Repo.auditDate, "--output", report, "--fail-on", "never"])
        try #require(a.code == 0, "\(a.stderr)")
        #expect(try http("POST", server.base + "/v1/reports", token: token, bodyFile: report).status == 201)
        #expect(try http("POST", server.base + "/v1/reports", token: "wrong-token-0123456789", bodyFile: report).status == 401)
        #expect(try http("GET", server.base + "/v1/vendors?period=all").status == 200)
        #expect(try http("GET", server.base + "/no/such/page").status == 404)
        var lines: [Substring] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            lines = ((try? String(contentsOfFile: t.sub("access.log"), encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.count >= 4 { break }
            usleep(50_000)
        }
        #expect(lines.count == 4, "\(lines)")
        let pattern = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 (GET|POST) /\S* \d{3} (\d+|-) \d+\.\dms$"#
        for l in lines { #expect(l.range(of: pattern, options: .regularExpression) != nil, "\(l)") }
        #expect(lines.first?.contains("POST /v1/reports 201") == true && lines.dropFirst().first?.contains("POST /v1/reports 401") == true)
        #expect(lines.contains { $0.contains("GET /v1/vendors 200") } && lines.contains { $0.contains("GET /no/such/page 404") })
        let all = lines.joined(separator: "\n")
        #expect(!all.contains(token) && !all.contains("wrong-token") && !all.contains("period=all"), "no token, no query string")
    }
}
