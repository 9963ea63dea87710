# Homework 9: ten clients at once, each on a thread of its own.
import socket
import threading

PORT = 50110


def client(i):
    with socket.socket() as s:
        s.connect(('127.0.0.1', PORT))
        s.sendall(b'client%d' % i)
        print(s.recv(64).decode())


threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
