# A server from the socketserver module, after the lecture's 4-SocketServer.py:
# the library accepts; handle() serves one client session.
# Run it with its client:  socklens trace socketserver_server.py socketserver_client.py
import socketserver

HOST = '127.0.0.1'
PORT = 50010


class MyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        print('From', self.client_address, data)
        self.request.sendall(data.upper())


server = socketserver.TCPServer((HOST, PORT), MyHandler)
server.serve_forever()
