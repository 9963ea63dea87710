# Names and byte order: the helpers of the lecture's "Other Socket Functions".
# Run it alone:  socklens trace names_and_bytes.py
# (htons() and friends are computed in Python itself: no call to see.)
import socket

print('gethostname:', socket.gethostname())
print('gethostbyname:', socket.gethostbyname('localhost'))
print('gethostbyaddr:', socket.gethostbyaddr('127.0.0.1')[0])
print('htons(80) =', hex(socket.htons(80)), ' ntohs =', socket.ntohs(socket.htons(80)))
packed = socket.inet_aton('192.0.2.1')
print('inet_aton:', packed, ' inet_ntoa:', socket.inet_ntoa(packed))
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
print('getsockname:', s.getsockname())
s.close()
