# TCP client, after the lecture's 1-TCPClient.py.
# Run it with its server:  socklens trace tcp_server.py tcp_client.py
import socket

HOST = '127.0.0.1'   # the server's address
PORT = 50007         # the port the server listens on

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((HOST, PORT))
s.send(b'Hello, world')
data = s.recv(1024)
s.close()
print('Received', repr(data))
