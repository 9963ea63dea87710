# Homework 10: two clients, one after the other.
import socket

for word in (b'first', b'second'):
    s = socket.create_connection(('127.0.0.1', 50111))
    s.sendall(word)
    print(s.recv(1024))
    s.close()
