# Homework 12: select.poll() serves two clients, then stops.
import select
import socket

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 50124))
srv.listen()
p = select.poll()
p.register(srv, select.POLLIN)
conns = {}
closed = 0
while closed < 2:
    for fd, ev in p.poll():
        if fd == srv.fileno():
            conn, _ = srv.accept()
            conns[conn.fileno()] = conn
            p.register(conn, select.POLLIN)
        else:
            conn = conns[fd]
            data = conn.recv(100)
            if data:
                conn.sendall(b'echo:' + data)
            else:
                p.unregister(fd)
                del conns[fd]
                conn.close()
                closed += 1
srv.close()
print('closed', closed)
