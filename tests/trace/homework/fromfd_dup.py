# Lab 6: one socket, three Python objects: dup(), socket.fromfd(), detach().
import os
import socket

srv = socket.socket()
srv.bind(('127.0.0.1', 50108))
srv.listen()
c = socket.create_connection(('127.0.0.1', 50108))
conn, _ = srv.accept()
copy = c.dup()
other = socket.fromfd(c.fileno(), socket.AF_INET, socket.SOCK_STREAM)
print('fds', c.fileno(), copy.fileno(), other.fileno())
c.close()
copy.sendall(b'through the dup')
print(conn.recv(100))
fd = other.detach()
again = socket.socket(fileno=fd)
again.sendall(b'through fileno=')
print(conn.recv(100))
copy.close()
again.close()
print('peer sees', conn.recv(100))
conn.close()
srv.close()
