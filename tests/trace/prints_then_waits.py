# A server for the console tests: says it is waiting, then waits in
# accept() for a client that never comes, until the run is stopped.
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(1)
print("waiting for a client on port", s.getsockname()[1])
s.accept()
