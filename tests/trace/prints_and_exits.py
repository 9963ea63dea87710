# A program for the console tests: known lines on stdout and stderr, a
# socket call between them (so it is traced), then exit status 3.
import socket
import sys

print("console test: first line on stdout")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("console test: bound to port", s.getsockname()[1] > 0)
print("console test: a warning on stderr", file=sys.stderr)
s.close()
sys.exit(3)
