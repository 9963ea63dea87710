# Homework 13: shutdown(SHUT_WR) says "that is all", then reads the answer.
import socket

c = socket.create_connection(('127.0.0.1', 50127))
c.sendall(b'abcdefghij')
c.shutdown(socket.SHUT_WR)
print(c.recv(100))
try:
    c.send(b'more')
except BrokenPipeError as e:
    print('after SHUT_WR:', e)
c.close()
