# Homework 6: three clients, each sends a word and reads it back reversed.
import socket

PORT = 50102
socks = [socket.create_connection(('127.0.0.1', PORT)) for _ in range(3)]
for i, s in enumerate(socks):
    s.sendall(b'word%d' % i)
for s in socks:
    print(s.recv(1024))
    s.close()
