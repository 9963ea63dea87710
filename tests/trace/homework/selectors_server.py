# Homework 6: one thread serves three clients with selectors.DefaultSelector (epoll).
import selectors
import socket

PORT = 50102
sel = selectors.DefaultSelector()
print('selector:', type(sel).__name__)
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(('127.0.0.1', PORT))
lsock.listen()
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
finished = 0
while finished < 3:
    for key, mask in sel.select(timeout=None):
        if key.data is None:
            conn, addr = key.fileobj.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, data=addr)
        else:
            conn = key.fileobj
            data = conn.recv(1024)
            if data:
                conn.send(data[::-1])
            else:
                sel.unregister(conn)
                conn.close()
                finished += 1
sel.unregister(lsock)
lsock.close()
sel.close()
print('all done')
