# Homework 2: the client asks the user what to send (input()).
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    msg = input('Message (empty to quit): ')
    if not msg:
        break
    s.sendto(msg.encode(), ('127.0.0.1', 50113))
    print('sent', msg)
s.close()
