# sendall() of 1 MB: Python's loop of send() calls, as the kernel takes them.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 50023))
s.sendall(b'x' * (1 << 20))
s.close()
