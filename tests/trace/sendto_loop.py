# The benchmark's client: N small datagrams with sendto() (N from argv, 100000).
import socket
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
addr = s.getsockname()          # to itself: nothing needs to listen
t0 = time.perf_counter()
for _ in range(n):
    s.sendto(b'x', addr)
print('seconds', time.perf_counter() - t0)
s.close()
