# Reads until the client closes, then says how much came.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 50023))
s.listen(1)
conn, addr = s.accept()
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    total += len(data)
print('total', total)
conn.close()
s.close()
