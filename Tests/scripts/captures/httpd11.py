#!/usr/bin/python3
"""Keep-alive static file server for the --large mode of Tests/scripts/record-captures.sh.

  httpd11.py BIND_ADDRESS PORT DIRECTORY

Python's http.server SimpleHTTPRequestHandler, speaking HTTP/1.1 (it sends Content-Length, so the connection
stays open between requests, as on a device that polls its update server), one thread per connection, no access log.
"""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    addr, port, directory = argv[0], int(argv[1]), argv[2]
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer((addr, port), handler)
    server.daemon_threads = True
    print("serving %s on %s:%d" % (directory, addr, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
