# A server that says what it waits for without ending the line (print's
# end=' '), and a forked child that prints while the server waits in
# accept(): in a terminal the child's line stays whole.
import os
import socket

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 50041))
s.listen()
server = os.getpid()
if os.fork() == 0:
    # the client: once the server sleeps in accept() (accept4 is system
    # call 288 on x86-64, accept 43), it says so on a line of its own
    while open('/proc/%d/syscall' % server).read().split()[0] not in ('288', '43'):
        os.sched_yield()
    print('client: the server is waiting, I connect')
    socket.create_connection(('127.0.0.1', 50041)).close()
    os._exit(0)
print('Waiting for a client ...', end=' ')
conn, addr = s.accept()
print('connected')
conn.close()
os.wait()
