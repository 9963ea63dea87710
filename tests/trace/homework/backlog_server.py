# Lab 9: listen(1) and never accept(): the queue fills, later clients wait.
import signal
import socket

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 50117))
s.listen(1)
print('listening, never accepting')
signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(SystemExit(0)))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 50118))
u.recvfrom(16)         # the clients say when they are done
s.close()
print('closed without accepting')
