# 作業: 伺服器用中文回答 (UTF-8), 印出中文.
import socket

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 50114))
s.listen()
print('伺服器啟動, 等待連線...')
conn, addr = s.accept()
名字 = conn.recv(1024).decode('utf-8')
print('客戶端', addr, '說:', 名字)
conn.sendall(f'歡迎 {名字}!'.encode('utf-8'))
conn.close()
s.close()
