# Waits 1.6 s (the server idles: socketserver polls every 0.5 s), then talks.
import socket
import time

time.sleep(1.6)
s = socket.create_connection(('127.0.0.1', 50010))
s.sendall(b'after a while')
print('Received', s.recv(1024))
s.close()
