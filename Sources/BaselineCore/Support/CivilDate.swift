// Calendar dates without Foundation (proleptic Gregorian, UTC), after H. Hinnant's days_from_civil.

public struct CivilDate: Comparable, Hashable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard year >= 1970 && year <= 9999, month >= 1 && month <= 12, day >= 1 && day <= CivilDate.daysIn(year, month) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD` exactly.
    public static func parse(_ s: String) -> CivilDate? {
        let u = Array(s.utf8)
        guard u.count == 10, u[4] == 45, u[7] == 45 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b { let c = u[i]; if c < 48 || c > 57 { return nil }; v = v * 10 + Int(c - 48) }
            return v
        }
        guard let y = num(0, 4), let m = num(5, 7), let d = num(8, 10) else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    /// The date a build id starts with: `2026-09-12T08:30` (`YYYY-MM-DD`), `20250802-0911` (`YYYYMMDD` not followed
    /// by another digit); nil when it does not start with a real date.
    public static func leading(_ buildID: String) -> CivilDate? {
        let u = Array(buildID.utf8)
        if u.count >= 10, let d = parse(String(decoding: u[0..<10], as: UTF8.self)) { return d }
        guard u.count >= 8 else { return nil }
        var v = 0
        for i in 0..<8 { let c = u[i]; if c < 48 || c > 57 { return nil }; v = v * 10 + Int(c - 48) }
        if u.count > 8 && u[8] >= 48 && u[8] <= 57 { return nil }
        return CivilDate(year: v / 10000, month: v / 100 % 100, day: v % 100)
    }

    public static func daysIn(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(dayNumber z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public static func fromEpochSeconds(_ s: Int64) -> CivilDate {
        CivilDate(dayNumber: Int(s >= 0 ? s / 86400 : (s - 86399) / 86400))
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    public func days(until other: CivilDate) -> Int { other.dayNumber - dayNumber }

    public func days(since other: CivilDate) -> Int { dayNumber - other.dayNumber }

    /// The same day `n` years later (29 February becomes 28 February in a common year).
    public func adding(years n: Int) -> CivilDate {
        let y = year + n
        return CivilDate(year: y, month: month, day: min(day, CivilDate.daysIn(y, month))) ?? self
    }

    public var iso: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }
}

func pad(_ v: Int, _ width: Int) -> String {
    var s = String(v)
    while s.utf8.count < width { s = "0" + s }
    return s
}

/// ISO 8601 UTC timestamp for epoch seconds.
public func isoTimestamp(_ epoch: Int64) -> String {
    let date = CivilDate.fromEpochSeconds(epoch)
    var secs = Int(epoch % 86400)
    if secs < 0 { secs += 86400 }
    return date.iso + "T" + pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2) + "Z"
}
