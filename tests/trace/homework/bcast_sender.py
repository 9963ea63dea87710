# Lab 4: broadcasts on the loopback network (127.255.255.255) with SO_BROADCAST.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b'without SO_BROADCAST', ('127.255.255.255', 50105))
except OSError as e:
    print('refused:', e)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b'anyone there?', ('127.255.255.255', 50105))
s.close()
