# Connects, sends, then dies of a signal: the calls so far must stay.
import os
import signal
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', 50022))
s.send(b'last words')
os.kill(os.getpid(), signal.SIGSEGV)
