# Homework 7: socket.create_connection and makefile('rb'): one request a line.
import socket

PORT = 50103
with socket.create_connection(('127.0.0.1', PORT), timeout=5) as s:
    f = s.makefile('rb')
    for request in (b'ADD 1 2 3\n', b'ADD 40 2\n', b'BYE\n'):
        s.sendall(request)
        print(f.readline().decode().strip())
    f.close()
