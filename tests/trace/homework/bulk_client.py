# Homework 8: sendall() of 4 MB (the kernel takes it in parts), shutdown(SHUT_WR), read the reply.
import socket

PORT = 50104
data = b'x' * (4 * 1024 * 1024)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
s.connect(('127.0.0.1', PORT))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
reply = b''
while True:
    part = s.recv(100)
    if part == b'':
        break
    reply += part
print('server counted', reply.decode())
s.close()
