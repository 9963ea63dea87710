# Homework 13: reads until the client's FIN, then answers on the half-open connection.
import socket

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 50127))
s.listen()
conn, addr = s.accept()
parts = []
while (part := conn.recv(4)) != b'':
    parts.append(part)
print('parts', len(parts))
conn.sendall(b''.join(parts)[::-1])
conn.shutdown(socket.SHUT_RDWR)
conn.close()
s.close()
