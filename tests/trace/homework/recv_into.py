# Lab 14: recv_into a bytearray, recvfrom_into, sendmsg/recvmsg on UDP.
import socket

a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(('127.0.0.1', 50123))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.sendto(b'first', ('127.0.0.1', 50123))
buf = bytearray(16)
n, addr = a.recvfrom_into(buf)
print(n, bytes(buf[:n]), addr[0])
b.sendmsg([b'two ', b'parts'], [], 0, ('127.0.0.1', 50123))
data, anc, flags, addr = a.recvmsg(100)
print(data)
b.connect(('127.0.0.1', 50123))
b.send(b'third')
n = a.recv_into(buf)
print(n, bytes(buf[:n]))
a.close()
b.close()
