// Text: line splitting and the small string helpers the fact parsers share.
import Testing
@testable import BaselineCore

private func lineTexts(_ s: String, max: Int = 64 * 1024) -> [String] { Text.lines(bytes(s), maxLineBytes: max).map(\.text) }

@Suite("Text.lines")
struct TextLinesTests {
    @Test("empty input has no lines")
    func empty() {
        #expect(Text.lines([]).isEmpty)
    }

    @Test("LF, trailing newline, numbering")
    func basic() {
        let l = Text.lines(bytes("one\ntwo\nthree\n"))
        #expect(l.map(\.text) == ["one", "two", "three"])
        #expect(l.map(\.number) == [1, 2, 3])
    }

    @Test("no trailing newline keeps the last line")
    func noTrailingNewline() {
        #expect(lineTexts("a\nb") == ["a", "b"])
        #expect(lineTexts("single") == ["single"])
    }

    @Test("CRLF is tolerated; lone CR inside a line is kept")
    func crlf() {
        #expect(lineTexts("a\r\nb\r\n") == ["a", "b"])
        #expect(lineTexts("a\r\nb") == ["a", "b"])
        #expect(lineTexts("a\rb\n") == ["a\rb"])
        #expect(lineTexts("x\r\r\n") == ["x\r"])
        #expect(lineTexts("\r\n") == [""])
    }

    @Test("blank lines are kept and numbered")
    func blankLines() {
        let l = Text.lines(bytes("\n\nx\n\n"))
        #expect(l.map(\.text) == ["", "", "x", ""])
        #expect(l.map(\.number) == [1, 2, 3, 4])
        #expect(lineTexts("\n") == [""])
    }

    @Test("long lines are cut to maxLineBytes, numbering continues")
    func longLines() {
        let l = Text.lines(bytes(String(repeating: "x", count: 100) + "\nshort\n"), maxLineBytes: 10)
        #expect(l.count == 2)
        #expect(l[0].text == String(repeating: "x", count: 10))
        #expect(l[1].text == "short" && l[1].number == 2)
    }

    @Test("invalid UTF-8 is replaced, not rejected")
    func invalidUTF8() {
        let l = Text.lines([0x61, 0xFF, 0x62, 0x0A, 0xC3, 0xA9])
        #expect(l.map(\.text) == ["a\u{FFFD}b", "é"])
    }
}

@Suite("Text helpers")
struct TextHelperTests {
    @Test("trim removes blanks of all kinds at both ends only")
    func trim() {
        #expect(Text.trim("  a b \t\r\n") == "a b")
        #expect(Text.trim("\u{0B}\u{0C}x\u{0C}") == "x")
        #expect(Text.trim("") == "")
        #expect(Text.trim("   ") == "")
        #expect(Text.trim("nochange") == "nochange")
    }

    @Test("words splits on runs of blanks")
    func words() {
        #expect(Text.words("  ExecStart=/usr/sbin/dropbear   -F\t-R  ") == ["ExecStart=/usr/sbin/dropbear", "-F", "-R"])
        #expect(Text.words("") == [])
        #expect(Text.words(" \t ") == [])
        #expect(Text.words("one") == ["one"])
        #expect(Text.words("a\r\nb") == ["a", "\nb"])  // only space, tab and CR separate words
    }

    @Test("split keeps empty fields")
    func split() {
        #expect(Text.split("root:x:0:0:root:/root:/bin/sh", 58) == ["root", "x", "0", "0", "root", "/root", "/bin/sh"])
        #expect(Text.split("a::b:", 58) == ["a", "", "b", ""])
        #expect(Text.split("", 58) == [""])
        #expect(Text.split(":", 58) == ["", ""])
        #expect(Text.split("no separator", 58) == ["no separator"])
    }

    @Test("unquote strips exactly one matching pair")
    func unquote() {
        #expect(Text.unquote("\"abc\"") == "abc")
        #expect(Text.unquote("'abc'") == "abc")
        #expect(Text.unquote("\"\"") == "")
        #expect(Text.unquote("\"'x'\"") == "'x'")
        #expect(Text.unquote("\"abc'") == "\"abc'")
        #expect(Text.unquote("\"abc") == "\"abc")
        #expect(Text.unquote("\"") == "\"")
        #expect(Text.unquote("abc") == "abc")
        #expect(Text.unquote("") == "")
    }

    @Test("stripComment removes # outside quotes only")
    func stripComment() {
        #expect(Text.stripComment("value # comment") == "value ")
        #expect(Text.stripComment("# all comment") == "")
        #expect(Text.stripComment("\"a # b\" # c") == "\"a # b\" ")
        #expect(Text.stripComment("'#not' #yes") == "'#not' ")
        #expect(Text.stripComment("\"it's # inside\"") == "\"it's # inside\"")
        #expect(Text.stripComment("no comment") == "no comment")
        #expect(Text.stripComment("\"unterminated # quote") == "\"unterminated # quote")
    }

    @Test("int parses plain decimal integers only", arguments: [
        ("0", 0), ("42", 42), ("-42", -42), ("007", 7), ("-0", 0), ("999999999999999999", 999_999_999_999_999_999),
    ])
    func intValid(text: String, value: Int) {
        #expect(Text.int(text) == value)
    }

    @Test("int rejects everything else", arguments: [
        "", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "1-", "--1", "1000000000000000000", "１",
    ])
    func intInvalid(text: String) {
        #expect(Text.int(text) == nil)
    }

    @Test("lower and upper change ASCII only")
    func caseMapping() {
        #expect(Text.lower("AbC-Ü") == "abc-Ü")
        #expect(Text.upper("aBc-ü") == "ABC-ü")
        #expect(Text.lower("") == "")
    }

    @Test("contains and indexOf")
    func search() {
        #expect(Text.contains("PermitRootLogin yes", "Login"))
        #expect(!Text.contains("PermitRootLogin yes", "login"))
        #expect(Text.contains("abc", ""))
        #expect(!Text.contains("ab", "abc"))
        #expect(Text.indexOf(bytes("aaab"), bytes("aab")) == 1)
        #expect(Text.indexOf(bytes("abcabc"), bytes("abc"), from: 1) == 3)
        #expect(Text.indexOf(bytes("abc"), bytes("d")) == nil)
        #expect(Text.indexOf(bytes("abc"), bytes("c")) == 2)
    }

    @Test("join, basename, dirname")
    func paths() {
        #expect(Text.join("/etc", "passwd") == "/etc/passwd")
        #expect(Text.join("/", "etc") == "/etc")
        #expect(Text.join("/etc/", "x") == "/etc/x")
        #expect(Text.basename("/etc/ssh/sshd_config") == "sshd_config")
        #expect(Text.basename("file") == "file")
        #expect(Text.dirname("/etc/ssh/sshd_config") == "/etc/ssh")
        #expect(Text.dirname("/etc") == "/")
        #expect(Text.dirname("file") == ".")
        #expect(Text.joinWith(["a", "b", "c"], ", ") == "a, b, c")
        #expect(Text.joinWith([], ",") == "")
    }

    @Test("matches checks prefix and suffix without overlap")
    func matches() {
        #expect(Text.matches("ssh_host_rsa_key", prefix: "ssh_host_", suffix: "_key"))
        #expect(!Text.matches("ssh_host_rsa_key.pub", prefix: "ssh_host_", suffix: "_key"))
        #expect(!Text.matches("ab", prefix: "ab", suffix: "b"))
        #expect(Text.matches("abb", prefix: "ab", suffix: "b"))
    }

    @Test("isSpace")
    func isSpace() {
        #expect([9, 10, 11, 12, 13, 32].allSatisfy { Text.isSpace(UInt8($0)) })
        #expect(![0, 8, 33, 0xA0].contains { Text.isSpace(UInt8($0)) })
    }
}

@Suite("Truth")
struct TruthTests {
    @Test("boolean spellings")
    func spellings() {
        for s in ["1", "yes", "TRUE", "On", "enable", "enabled", " \"yes\" ", "'true'"] { #expect(Truth.of(s) == true, "\(s)") }
        for s in ["0", "no", "False", "OFF", "disable", "disabled", "\"0\""] { #expect(Truth.of(s) == false, "\(s)") }
        for s in ["", "maybe", "2", "y", "n", "yes please"] { #expect(Truth.of(s) == nil, "\(s)") }
    }
}
