# Three clients at once, for select_server.py.
# Run them with the server:  socklens trace select_server.py select_clients.py
import socket

HOST = '127.0.0.1'
PORT = 50009

clients = []
for i in range(3):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.connect((HOST, PORT))
    clients.append(c)
for i, c in enumerate(clients):
    c.send(b'client %d' % i)
for c in clients:
    print('Reply', c.recv(1024))
    c.close()
