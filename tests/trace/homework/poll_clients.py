# Homework 12: two clients.
import socket

a = socket.create_connection(('127.0.0.1', 50124))
b = socket.create_connection(('127.0.0.1', 50124))
a.sendall(b'A')
b.sendall(b'B')
print(a.recv(100), b.recv(100))
a.close()
b.close()
