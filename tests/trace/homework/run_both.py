# A student's launcher: multiprocessing runs the server and the client.
import multiprocessing
import socket


def server(ready):
    s = socket.socket()
    s.bind(('127.0.0.1', 50126))
    s.listen()
    ready.set()
    conn, _ = s.accept()
    conn.sendall(conn.recv(100) * 2)
    conn.close()
    s.close()


def client():
    c = socket.create_connection(('127.0.0.1', 50126))
    c.sendall(b'twice ')
    print('client got', c.recv(100))
    c.close()


if __name__ == '__main__':
    ready = multiprocessing.Event()
    p = multiprocessing.Process(target=server, args=(ready,))
    p.start()
    ready.wait()
    client()
    p.join()
    print('server exit code', p.exitcode)
