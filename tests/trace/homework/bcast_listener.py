# Lab 4: waits for one broadcast datagram on port 50105.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('', 50105))
data, sender = s.recvfrom(1024)
print('heard', data, 'from', sender)
s.close()
