# A client whose server is not there: connect() is refused and the
# uncaught ConnectionRefusedError prints a traceback on stderr.
import socket


def talk():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", 9))
    s.sendall(b"never sent")


print("connecting to 127.0.0.1 port 9, where nothing listens")
talk()
