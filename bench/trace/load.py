#!/usr/bin/env python3
"""Connection load for bench/trace/run.sh, on loopback inside the bench's namespace only.

  load.py server PORT            accept and close until killed
  load.py client PORT SECONDS [RATE]
                                 connect and close to 127.0.0.1:PORT for SECONDS (bounded), at most
                                 RATE connections a second (0: as fast as it can); prints the count

Each connection is a full handshake and a graceful close, client first: about 10 kernel state
transitions (client CLOSE>SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>CLOSE, server
LISTEN>SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE). The namespace sets tcp_max_tw_buckets=0 so
no TIME_WAIT holds the ports.
"""
import socket
import sys
import time


def server(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        c.recv(1)  # the client's FIN
        c.close()


def client(port, seconds, rate):
    addr = ("127.0.0.1", port)
    start = time.monotonic()
    end = start + seconds
    n = 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if rate > 0 and n >= (now - start) * rate:
            time.sleep(min(0.001, end - now))
            continue
        for _ in range(50):
            c = socket.socket()
            c.connect(addr)
            c.close()
            n += 1
    print(n, round(time.monotonic() - start, 3), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 0)
