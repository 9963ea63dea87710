# One server, several clients, one thread: select() says which socket is ready.
# Run it with its clients:  socklens trace select_server.py select_clients.py
import select
import socket

HOST = '127.0.0.1'
PORT = 50009
CLIENTS = 3

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((HOST, PORT))
server.listen(5)
inputs = [server]
served = 0
while served < CLIENTS or len(inputs) > 1:
    readable, writable, exceptional = select.select(inputs, [], [])
    for s in readable:
        if s is server:
            conn, addr = server.accept()
            print('New client', addr)
            inputs.append(conn)
            served += 1
        else:
            data = s.recv(1024)
            if data:
                s.send(data.upper())
            else:
                inputs.remove(s)
                s.close()
server.close()
