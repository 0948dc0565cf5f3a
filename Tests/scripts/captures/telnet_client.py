#!/usr/bin/python3
"""Telnet client for Tests/scripts/record-captures.sh: logs in with telnetlib, runs `echo hello`, exits.

  telnet_client.py HOST PORT USER PASSWORD
"""
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import telnetlib  # noqa: E402  (Debian's Python 3.11 still ships it)


def expect(tn, token, seen):
    data = tn.read_until(token, 10)
    seen.append(data)
    if not data.endswith(token):
        sys.exit("telnet_client: did not get %r, got %r" % (token, b"".join(seen)[-200:]))


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    host, port, user, password = argv[0], int(argv[1]), argv[2].encode(), argv[3].encode()
    seen = []
    tn = telnetlib.Telnet(host, port, timeout=10)
    expect(tn, b"login: ", seen)
    tn.write(user + b"\r\n")
    expect(tn, b"Password: ", seen)
    tn.write(password + b"\r\n")
    expect(tn, b"# ", seen)
    tn.write(b"echo hello\r\n")
    expect(tn, b"# ", seen)
    tn.write(b"exit\r\n")
    seen.append(tn.read_all())
    tn.close()
    text = b"".join(seen)
    if b"\nhello\r\n" not in text.replace(b"\r\r", b"\r"):
        sys.exit("telnet_client: no `hello` in %r" % text[-300:])
    sys.stdout.write(text.decode("latin-1"))


if __name__ == "__main__":
    main(sys.argv[1:])
