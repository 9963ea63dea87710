# Accepts one client and waits for it to close, saying nothing.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 50022))
s.listen(1)
conn, addr = s.accept()
conn.recv(1024)
conn.close()
s.close()
