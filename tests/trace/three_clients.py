import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 50020
for i in range(3):
    c = socket.create_connection(('127.0.0.1', port))
    c.sendall(b'ping %d' % i)
    assert c.recv(1024) == b'ping %d' % i
    c.close()
