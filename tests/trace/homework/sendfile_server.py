# Homework 11: a file server: socket.sendfile() sends a whole file.
import os
import socket
import tempfile

path = os.path.join(tempfile.mkdtemp(), 'report.txt')
with open(path, 'wb') as f:
    f.write(b'line of the report\n' * 5000)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 50119))
s.listen()
conn, addr = s.accept()
with open(path, 'rb') as f:
    sent = conn.sendfile(f)
print('sent', sent, 'bytes of', os.path.getsize(path))
conn.close()
s.close()
os.remove(path)
