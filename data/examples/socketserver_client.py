# Client for socketserver_server.py.
# Run it with its server:  socklens trace socketserver_server.py socketserver_client.py
import socket

HOST = '127.0.0.1'
PORT = 50010

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((HOST, PORT))
s.sendall(b'Hello, socketserver')
print('Received', s.recv(1024))
s.close()
