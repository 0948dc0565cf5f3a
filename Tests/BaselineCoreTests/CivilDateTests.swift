// CivilDate (proleptic Gregorian, UTC) and isoTimestamp, checked against Foundation's calendar.
import Foundation
import Testing
@testable import BaselineCore

private let utc: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "UTC")!
    return c
}()

@Suite("CivilDate")
struct CivilDateTests {
    @Test("valid dates parse into their fields", arguments: [
        ("1970-01-01", 1970, 1, 1), ("2024-02-29", 2024, 2, 29), ("2000-02-29", 2000, 2, 29),
        ("2026-12-31", 2026, 12, 31), ("9999-12-31", 9999, 12, 31), ("2023-04-30", 2023, 4, 30),
    ])
    func parseValid(text: String, y: Int, m: Int, d: Int) throws {
        let date = try #require(CivilDate.parse(text))
        #expect(date.year == y && date.month == m && date.day == d)
        #expect(date.iso == text)
    }

    @Test("invalid dates do not parse", arguments: [
        "2026-02-29", "1900-02-29", "2100-02-29", "2023-02-30", "2023-04-31", "2023-06-31", "2023-09-31",
        "2023-11-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32", "1969-12-31", "10000-01-01",
        "2023-1-01", "2023-01-1", "2023/01/01", "20230101", "", "2023-01-01 ", " 2023-01-01", "2023-01-01T00:00:00Z",
        "2023-0a-01", "abcd-ef-gh", "+023-01-01", "-023-01-01", "2023--1-01", "２０２３-01-01",
    ])
    func parseInvalid(text: String) {
        #expect(CivilDate.parse(text) == nil)
    }

    @Test("memberwise init validates")
    func initValidation() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 1969, month: 12, day: 31) == nil)
        #expect(CivilDate(year: 10000, month: 1, day: 1) == nil)
        #expect(CivilDate(year: 2024, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2024, month: 1, day: -1) == nil)
    }

    @Test("daysIn follows the Gregorian leap rules")
    func daysIn() {
        #expect(CivilDate.daysIn(2024, 2) == 29)
        #expect(CivilDate.daysIn(2026, 2) == 28)
        #expect(CivilDate.daysIn(2000, 2) == 29)
        #expect(CivilDate.daysIn(1900, 2) == 28)
        #expect(CivilDate.daysIn(2100, 2) == 28)
        #expect(CivilDate.daysIn(2400, 2) == 29)
        #expect([1, 3, 5, 7, 8, 10, 12].allSatisfy { CivilDate.daysIn(2023, $0) == 31 })
        #expect([4, 6, 9, 11].allSatisfy { CivilDate.daysIn(2023, $0) == 30 })
    }

    @Test("known day numbers")
    func knownDayNumbers() throws {
        #expect(try #require(CivilDate.parse("1970-01-01")).dayNumber == 0)
        #expect(try #require(CivilDate.parse("1970-01-02")).dayNumber == 1)
        #expect(try #require(CivilDate.parse("2000-01-01")).dayNumber == 10957)
        #expect(try #require(CivilDate.parse("2000-03-01")).dayNumber == 11017)
        #expect(try #require(CivilDate.parse("2038-01-19")).dayNumber == 24855)
    }

    @Test("dayNumber round trip over 1970...2200 and agreement with Foundation")
    func roundTrip() throws {
        let start = try #require(CivilDate(year: 1970, month: 1, day: 1))
        var previous: CivilDate? = nil
        let epoch = Date(timeIntervalSince1970: 0)
        for n in 0...84_000 {
            let d = CivilDate(dayNumber: n)
            #expect(d.dayNumber == n)
            // The fields form a valid date that parses back to the same value.
            #expect(CivilDate.parse(d.iso) == d)
            if let p = previous {
                #expect(p < d)
                #expect(p.adding(days: 1) == d)
                #expect(p.days(until: d) == 1)
            }
            if n % 97 == 0 {
                let f = utc.dateComponents([.year, .month, .day], from: epoch.addingTimeInterval(Double(n) * 86400))
                #expect(f.year == d.year && f.month == d.month && f.day == d.day, "day \(n)")
            }
            previous = d
        }
        #expect(start.adding(days: 84_000).days(until: start) == -84_000)
    }

    @Test("fromEpochSeconds rounds towards the start of the day, also before 1970")
    func fromEpoch() {
        #expect(CivilDate.fromEpochSeconds(0).iso == "1970-01-01")
        #expect(CivilDate.fromEpochSeconds(86399).iso == "1970-01-01")
        #expect(CivilDate.fromEpochSeconds(86400).iso == "1970-01-02")
        #expect(CivilDate.fromEpochSeconds(1_700_000_000).iso == "2023-11-14")
        #expect(CivilDate.fromEpochSeconds(-1).dayNumber == -1)
        #expect(CivilDate.fromEpochSeconds(-86400).dayNumber == -1)
        #expect(CivilDate.fromEpochSeconds(-86401).dayNumber == -2)
        let d = CivilDate.fromEpochSeconds(-1)
        #expect(d.year == 1969 && d.month == 12 && d.day == 31)
    }

    @Test("ordering and hashing")
    func ordering() throws {
        let a = try #require(CivilDate.parse("2024-02-28"))
        let b = try #require(CivilDate.parse("2024-02-29"))
        let c = try #require(CivilDate.parse("2024-03-01"))
        #expect(a < b && b < c && !(c < a))
        #expect(a.days(until: c) == 2)
        #expect(c.days(until: a) == -2)
        #expect(Set([a, b, c, a.adding(days: 1)]).count == 3)
        #expect(a.adding(days: 366).iso == "2025-02-28")
        #expect(c.adding(days: -1) == b)
        #expect(c.days(since: a) == 2 && a.days(since: c) == -2)
    }

    @Test("2024-02-31 is no date: not parsed, not the start of a build id")
    func impossibleDayIsRefused() {
        #expect(CivilDate.parse("2024-02-31") == nil)
        #expect(CivilDate.parse("2024-02-29") != nil && CivilDate.parse("2025-02-29") == nil && CivilDate.parse("2026-04-31") == nil)
        #expect(CivilDate.leading("20240231-0911") == nil && CivilDate.leading("2024-02-31T08:30") == nil)
    }

    @Test("the date a build id starts with", arguments: [
        ("20250802-0911", "2025-08-02"), ("20250802", "2025-08-02"), ("2026-09-12T08:30", "2026-09-12"), ("2026-09-12", "2026-09-12"),
        ("20240229.1", "2024-02-29"),
    ])
    func leadingDate(id: String, date: String) {
        #expect(CivilDate.leading(id) == CivilDate.parse(date))
    }

    @Test("build ids that do not start with a date", arguments: [
        "2025080212", "2025080", "r20250802", "20251302-1", "20250800", "v1.2.3", "", "2026-9-12", "19691231-0000", "20230229",
    ])
    func noLeadingDate(id: String) {
        #expect(CivilDate.leading(id) == nil)
    }
}

@Suite("isoTimestamp")
struct ISOTimestampTests {
    @Test("known instants", arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (Int64(59), "1970-01-01T00:00:59Z"),
        (Int64(86399), "1970-01-01T23:59:59Z"),
        (Int64(951_782_400), "2000-02-29T00:00:00Z"),
        (Int64(1_700_000_000), "2023-11-14T22:13:20Z"),
        (Int64(2_147_483_647), "2038-01-19T03:14:07Z"),
        (Int64(4_102_444_800), "2100-01-01T00:00:00Z"),
        (Int64(-1), "1969-12-31T23:59:59Z"),
    ])
    func known(epoch: Int64, expected: String) {
        #expect(isoTimestamp(epoch) == expected)
    }

    @Test("equals Foundation's ISO8601DateFormatter on sampled instants")
    func matchesFoundation() {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        var x: Int64 = 1
        for _ in 0..<2000 {
            x = (x &* 6364136223846793005 &+ 1442695040888963407)
            let epoch = Int64(UInt64(bitPattern: x) % 7_258_118_400) // 1970 ... 2200
            #expect(isoTimestamp(epoch) == f.string(from: Date(timeIntervalSince1970: TimeInterval(epoch))), "epoch \(epoch)")
        }
    }
}
