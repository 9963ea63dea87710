# TCP server, after the lecture's 1-TCPServer.py.
# Run it with its client:  socklens trace tcp_server.py tcp_client.py
import socket

HOST = '127.0.0.1'   # the lab's own loopback
PORT = 50007         # an arbitrary non-privileged port

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((HOST, PORT))
s.listen(1)
conn, addr = s.accept()
print('Connected by', addr)
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.send(data)
conn.close()
s.close()
