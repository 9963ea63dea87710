# Lab 9: four clients connect to a server that never accepts.
import socket

socks = []
for i in range(4):
    c = socket.socket()
    c.settimeout(1.0)
    try:
        c.connect(('127.0.0.1', 50117))
        print('client', i, 'connected (in the queue)')
    except socket.timeout:
        print('client', i, 'timed out: the queue is full')
    socks.append(c)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'done', ('127.0.0.1', 50118))
for c in socks:
    c.close()
