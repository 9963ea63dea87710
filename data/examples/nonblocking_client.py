# A non-blocking client: calls return at once; the ones that would have had to
# wait fail with BlockingIOError (EINPROGRESS, EAGAIN) and select() waits instead.
# Run it with the TCP server:  socklens trace tcp_server.py nonblocking_client.py
import select
import socket

HOST = '127.0.0.1'
PORT = 50007

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setblocking(False)
try:
    s.connect((HOST, PORT))
except BlockingIOError:
    print('connect() is in progress')
select.select([], [s], [])          # writable: connected
s.send(b'Hello, non-blocking')
try:
    s.recv(1024)
except BlockingIOError:
    print('Nothing to read yet')
select.select([s], [], [])          # readable: the echo is here
print('Received', s.recv(1024))
s.close()
