# 作業三：客戶端
import socket

c = socket.socket()
c.connect(('127.0.0.1', 50031))  # 連線到伺服器
print('收到:', c.recv(1024).decode('utf-8'))
c.close()
