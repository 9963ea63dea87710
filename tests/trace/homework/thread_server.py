# Homework 9: a thread per client (threading.Thread), ten clients, a lock around the count.
import socket
import threading

PORT = 50110
CLIENTS = 10
count = 0
lock = threading.Lock()


def serve(conn, addr):
    global count
    with conn:
        name = conn.recv(64).decode()
        conn.sendall(('hi ' + name).encode())
    with lock:
        count += 1
    print('served', name)


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', PORT))
s.listen(5)
threads = []
for _ in range(CLIENTS):
    conn, addr = s.accept()
    t = threading.Thread(target=serve, args=(conn, addr))
    t.start()
    threads.append(t)
for t in threads:
    t.join()
s.close()
print('total', count)
