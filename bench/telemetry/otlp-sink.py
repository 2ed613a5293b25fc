#!/usr/bin/env python3
"""A stand-in OTLP/HTTP collector for overhead-ab.sh: answers every export with 200 and drops it; on SIGTERM prints
how many exports and bytes it received."""
import http.server
import signal
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    exports = {}
    received = 0

    def do_POST(self):
        Sink.received += len(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        Sink.exports[self.path] = Sink.exports.get(self.path, 0) + 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def stop(*_):
    print(f"otlp-sink: {Sink.received} bytes in exports {Sink.exports}", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
