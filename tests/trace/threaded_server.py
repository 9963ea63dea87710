# A ThreadingTCPServer: each client's handle() runs on a thread of its own.
import socketserver
import threading

PORT = 50020
served = threading.Semaphore(0)


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(1024)
        self.request.sendall(data)
        served.release()


server = socketserver.ThreadingTCPServer(('127.0.0.1', PORT), Echo)
server.daemon_threads = False
worker = threading.Thread(target=server.serve_forever)
worker.start()
for _ in range(3):
    served.acquire()
server.shutdown()
server.server_close()
worker.join()
print('served 3')
