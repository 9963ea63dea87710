# UDP server: recvfrom() tells who sent each datagram; sendto() answers them.
# Run it with its client:  socklens trace udp_server.py udp_client.py
import socket

HOST = '127.0.0.1'
PORT = 50008

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((HOST, PORT))
for _ in range(2):
    data, addr = s.recvfrom(1024)
    print('From', addr, data)
    s.sendto(data.upper(), addr)
s.close()
