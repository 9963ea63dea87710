import socket

c = socket.create_connection(('127.0.0.1', 50032))
c.sendall(b'0005hello')
c.recv(2)  # the server's ok: the next message is a segment of its own
c.sendall(b'0003bye')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b'one datagram', ('127.0.0.1', 50032))
c.recv(10)
c.close()
u.close()
