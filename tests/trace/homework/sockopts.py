# Lab 3: socket options, set and read back.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print('SO_REUSEADDR before', s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
print('SO_REUSEADDR after', s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
print('SO_RCVBUF', s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
print('SO_TYPE', s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print('SO_BROADCAST', u.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST))
try:
    s.setsockopt(socket.SOL_SOCKET, 9999, 1)
except OSError as e:
    print('bad option:', e)
s.close()
u.close()
