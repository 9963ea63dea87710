# Homework 11: downloads until the server closes.
import socket

s = socket.create_connection(('127.0.0.1', 50119))
got = bytearray()
while chunk := s.recv(8192):
    got += chunk
print('downloaded', len(got), 'bytes,', got.count(b'\n'), 'lines')
s.close()
