# Lab 16: a parent and two forked children all print at once.
import os

children = []
for name in ('child-A', 'child-B'):
    pid = os.fork()
    if pid == 0:
        for i in range(200):
            print(name, 'line', i, 'with some words to make it long enough')
        os._exit(0)
    children.append(pid)
for i in range(200):
    print('parent', 'line', i, 'with some words to make it long enough')
for pid in children:
    os.waitpid(pid, 0)
