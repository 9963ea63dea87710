# Homework 3: a client with no error handling; the server is not there.
import socket


def ask(host, port, question):
    s = socket.socket()
    s.connect((host, port))
    s.sendall(question)
    return s.recv(1024)


print('asking...')
print(ask('127.0.0.1', 50116, b'time?'))
