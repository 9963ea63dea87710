# Waits for a client that never comes, while a thread of its own keeps time
# (so the lab cannot tell that nothing will ever wake it: only the time
# limit or a stop ends it).
import socket
import threading
import time


def keep_time():
    while True:
        time.sleep(0.5)


threading.Thread(target=keep_time, daemon=True).start()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 50024))
s.listen(1)
s.accept()
