# Homework 10: socketserver.ForkingMixIn: each client in a child process.
import os
import socketserver

PORT = 50111


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        print('child', os.getpid() != parent, 'got', data)
        self.request.sendall(data.upper())


class Server(socketserver.ForkingMixIn, socketserver.TCPServer):
    allow_reuse_address = True


parent = os.getpid()
with Server(('127.0.0.1', PORT), Handler) as server:
    for _ in range(2):
        server.handle_request()
    server.server_close()
print('parent done')
