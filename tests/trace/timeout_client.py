# A socket with a timeout: Python polls before the recv, and the poll times out.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 50022))
s.settimeout(0.2)
try:
    s.recv(1024)
except socket.timeout:
    print('timed out')
s.close()
