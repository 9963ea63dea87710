# Lab 7: urllib.request against the loopback server.
import urllib.request

for path in ('/a', '/b?x=1'):
    with urllib.request.urlopen('http://127.0.0.1:50112' + path, timeout=5) as r:
        print(r.status, r.read().decode('utf-8'))
