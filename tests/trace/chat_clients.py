# Two users of the chat server: each waits to be welcomed (then the other
# is in the room too), then for the other's message.
import socket

ming = socket.create_connection(('127.0.0.1', 50035))
hua = socket.create_connection(('127.0.0.1', 50035))
print(ming.recv(1024).decode(), hua.recv(1024).decode())  # both in the room
ming.sendall('小明: 嗨'.encode())
print(hua.recv(1024).decode())
hua.sendall('小華: 你好'.encode())
print(ming.recv(1024).decode())
ming.close()
hua.close()
