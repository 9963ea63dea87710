# Lab 8: sockets nobody closes: the garbage collector does (ResourceWarning shown).
import gc
import socket
import warnings

warnings.simplefilter('always', ResourceWarning)


def make_server():
    s = socket.socket()
    s.bind(('127.0.0.1', 50115))
    s.listen()
    return s


def leak_client():
    c = socket.socket()
    c.connect(('127.0.0.1', 50115))
    c.send(b'leaked')


srv = make_server()
leak_client()          # c is dropped at the end of the function
conn, _ = srv.accept()
print(conn.recv(100))
print(conn.recv(100))  # b'': the client's socket was closed by the collector
del conn
gc.collect()
srv = None
print('end')
