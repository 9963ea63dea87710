# 聊天室：select() 伺服器，把每個人的訊息轉給其他人 (a select() chat server:
# each message goes to everyone else; it ends once its two users have left)
import select
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 50035))
server.listen(5)
users = []
joined = 0
while joined < 2 or users:
    readable, _, _ = select.select([server] + users, [], [])
    for s in readable:
        if s is server:
            conn, addr = server.accept()
            users.append(conn)
            joined += 1
            conn.sendall('歡迎\n'.encode())
            print('歡迎', addr)
            continue
        message = s.recv(1024)
        if not message:
            users.remove(s)
            s.close()
            continue
        for other in users:
            if other is not s:
                other.sendall(message)
server.close()
