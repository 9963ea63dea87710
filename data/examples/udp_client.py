# UDP client: no connect(), no handshake; each sendto() is one datagram.
# Run it with its server:  socklens trace udp_server.py udp_client.py
import socket

HOST = '127.0.0.1'
PORT = 50008

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for message in (b'first', b'second'):
    s.sendto(message, (HOST, PORT))
    data, addr = s.recvfrom(1024)
    print('Reply from', addr, data)
s.close()
