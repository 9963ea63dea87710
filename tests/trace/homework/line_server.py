# Homework 7: a line protocol with socketserver.StreamRequestHandler (rfile/wfile).
import socketserver

PORT = 50103


class Calc(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            words = line.decode().split()
            if words == ['BYE']:
                self.wfile.write(b'OK BYE\n')
                break
            total = sum(int(w) for w in words[1:])
            self.wfile.write(b'RESULT %d\n' % total)


with socketserver.TCPServer(('127.0.0.1', PORT), Calc) as server:
    server.handle_request()
print('one client served')
