# Prints between its calls, then is killed (SIGKILL, as by `kill -9`)
import os
import signal
import socket
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'last words', ('127.0.0.1', 50033))
print('after sendto')
time.sleep(0.1)  # a student's pause before the next call
s.close()
os.kill(os.getpid(), signal.SIGKILL)
