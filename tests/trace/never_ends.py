# Waits for a client that never comes.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 50024))
s.listen(1)
s.accept()
