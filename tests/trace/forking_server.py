# A ForkingTCPServer serving two clients, each in a child process.
import socketserver

PORT = 50021


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        self.request.sendall(data)


with socketserver.ForkingTCPServer(('127.0.0.1', PORT), Echo) as server:
    for _ in range(3):
        server.handle_request()
    server.collect_children(blocking=True)
