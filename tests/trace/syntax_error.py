import socket
s = socket.socket(
print('never')
