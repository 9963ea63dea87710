# An address outside the lab: the kernel refuses, nothing leaves the namespace.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect(('192.0.2.1', 80))
except OSError as e:
    print('error', e.errno)
s.close()
