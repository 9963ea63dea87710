# Lab 12: the same echo over IPv6 on ::1, server on a thread.
import socket
import threading

srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
srv.bind(('::1', 50122))
srv.listen()


def serve():
    conn, addr = srv.accept()
    print('IPv6 client', addr[:2])
    conn.sendall(conn.recv(100))
    conn.close()


t = threading.Thread(target=serve)
t.start()
c = socket.socket(socket.AF_INET6)
c.connect(('::1', 50122, 0, 0))
c.sendall(b'over v6')
print(c.recv(100))
c.close()
t.join()
srv.close()
