# Lab 5: settimeout(): a recv() nobody answers, a connect() nobody listens to.
import socket

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 50106))
u.settimeout(0.3)
try:
    u.recvfrom(1024)
except socket.timeout as e:
    print('recvfrom:', e)
u.close()
t = socket.socket()
t.settimeout(2)
try:
    t.connect(('127.0.0.1', 50107))
except ConnectionRefusedError as e:
    print('connect:', e)
print('timeout was', t.gettimeout())
t.close()
