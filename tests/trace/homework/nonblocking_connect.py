# Lab 11: connect_ex() on a non-blocking socket, select() for writable, SO_ERROR.
import errno
import select
import socket

srv = socket.socket()
srv.bind(('127.0.0.1', 50120))
srv.listen()
for port in (50120, 50121):
    c = socket.socket()
    c.setblocking(False)
    err = c.connect_ex(('127.0.0.1', port))
    print('connect_ex', port, errno.errorcode.get(err, err))
    select.select([], [c], [], 5)
    print('SO_ERROR', port, c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    c.close()
srv.close()
