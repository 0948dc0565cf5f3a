// The fleet reads report dates with the core's CivilDate (issue 19): impossible days are not dates.
@testable import BaselineFleet
import BaselineCore
import Testing

struct CivilDayTests {
    @Test func impossibleDaysAreRefused() {
        #expect(CivilDay.parse("2026-02-31") == nil && CivilDay.parse("2026-04-31") == nil && CivilDay.parse("2025-02-29") == nil)
        #expect(CivilDay.parse("2024-02-29") == CivilDate(year: 2024, month: 2, day: 29)?.dayNumber)
        #expect(CivilDay.parse("2026-11-23") == CivilDate.parse("2026-11-23")?.dayNumber)
        #expect(CivilDay.last("supported until 2026-02-31, then 2028-04-30") == CivilDate.parse("2028-04-30")?.dayNumber)
        #expect(CivilDay.last("ends 2026-02-31") == nil)
        #expect(CivilDay.leading("20250802-0911") == CivilDate.parse("2025-08-02")?.dayNumber)
        #expect(CivilDay.leading("20250231-0911") == nil && CivilDay.leading("2025080212") == nil)
    }
}
