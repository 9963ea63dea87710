# Lab 10: socket.socketpair() between a parent and its forked child.
import os
import socket

parent_end, child_end = socket.socketpair()
pid = os.fork()
if pid == 0:
    parent_end.close()
    question = child_end.recv(100)
    child_end.sendall(question + b' -> pong')
    child_end.close()
    os._exit(0)
child_end.close()
parent_end.sendall(b'ping')
print(parent_end.recv(100))
parent_end.close()
os.waitpid(pid, 0)
