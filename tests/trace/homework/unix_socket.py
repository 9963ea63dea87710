# Lab 13: AF_UNIX stream sockets (no packets on the wire), server on a thread.
import os
import socket
import tempfile
import threading

path = os.path.join(tempfile.mkdtemp(), 'chat.sock')
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen()


def serve():
    conn, _ = srv.accept()
    conn.sendall(b'unix says ' + conn.recv(100))
    conn.close()


t = threading.Thread(target=serve)
t.start()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(path)
c.sendall(b'hi')
print(c.recv(100))
c.close()
t.join()
srv.close()
os.remove(path)
