# Homework 2: prints the datagrams it receives until "bye".
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 50113))
while True:
    data, addr = s.recvfrom(1024)
    print('收到', data.decode(), '來自', addr)
    if data == b'bye':
        break
s.close()
