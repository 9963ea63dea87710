# Homework 8: counts the bytes of one upload until recv() returns b'', then replies.
import socket

PORT = 50104
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', PORT))
s.listen(1)
conn, addr = s.accept()
total = 0
while True:
    chunk = conn.recv(65536)
    if not chunk:
        break
    total += len(chunk)
print('received', total, 'bytes')
conn.sendall(str(total).encode())
conn.close()
s.close()
