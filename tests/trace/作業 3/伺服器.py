# 作業三：簡單的 TCP 伺服器 (a student's folder with a space and Chinese in its name)
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # 建立 socket
s.bind(('127.0.0.1', 50031))
s.listen(1)
conn, addr = s.accept()  # 等待連線
print('連線來自', addr)
conn.sendall('你好，同學！'.encode('utf-8'))
conn.close()
s.close()
