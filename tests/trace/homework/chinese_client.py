# 作業: 客戶端送出中文名字.
import socket

s = socket.socket()
s.connect(('127.0.0.1', 50114))
s.sendall('小明'.encode('utf-8'))
回覆 = s.recv(1024)
print('伺服器回覆:', 回覆.decode('utf-8'))
s.close()
