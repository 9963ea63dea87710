# A length-prefixed protocol: the server peeks at the 4-digit length, then
# reads the whole message; over UDP it peeks at the datagram, then takes it.
import socket


def read_message(conn):
    head = conn.recv(4, socket.MSG_PEEK)
    return conn.recv(4 + int(head), socket.MSG_WAITALL)


srv = socket.create_server(('127.0.0.1', 50032))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(('127.0.0.1', 50032))
conn, addr = srv.accept()
print('first', read_message(conn))
conn.sendall(b'ok')
print('second', read_message(conn))
peeked, sender = udp.recvfrom(100, socket.MSG_PEEK)
taken, sender = udp.recvfrom(100)
print('udp peeked', peeked, 'then took', taken)
conn.close()
udp.close()
srv.close()
