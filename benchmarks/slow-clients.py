#!/usr/bin/env python3
"""slow-clients.py HOST PORT COUNT GET_PATH POST_PATH: hold COUNT slow connections open to a server.

Half of them sent the start of a request line and headers, and stop in the middle of a header
line; the other half sent the headers of a POST with Content-Length: 1000 and 1 byte of the body.
They send nothing more. When the server closes one (its header or body timeout), another one of
the same kind is opened, so that COUNT stay open while a benchmark runs. Prints "READY COUNT" on
standard output once all are open, runs until SIGTERM or SIGINT, then prints how many it had to
open again on standard error. Only HOST:PORT is contacted (the benchmark
passes 127.0.0.1).
"""
import selectors
import signal
import socket
import sys

HALF_HEADER = "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-clients\r\nAccept: applica"
HALF_BODY = ("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-clients\r\n"
             "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{")


def main():
    if len(sys.argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    starts = [HALF_HEADER.format(sys.argv[4]).encode("ascii"), HALF_BODY.format(sys.argv[5]).encode("ascii")]
    selector = selectors.DefaultSelector()
    reopened = 0

    def open_one(kind):
        sock = socket.create_connection((host, port), timeout=30)
        sock.sendall(starts[kind])
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, kind)

    for i in range(count):
        open_one(i % 2)
    print("READY", count, flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            for key, _ in selector.select(timeout=1):
                sock = key.fileobj
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                if data:
                    continue  # the server's answer (a 408); it closes the connection next
                selector.unregister(sock)
                sock.close()
                open_one(key.data)
                reopened += 1
    except KeyboardInterrupt:
        return 0
    finally:
        sys.stderr.write("slow-clients: opened {} again after the server closed them\n".format(reopened))


if __name__ == "__main__":
    sys.exit(main())
