# SPDX-License-Identifier: GPL-3.0-or-later
#
# Socklens: run by a traced Python program at start (the lab puts this
# folder first on PYTHONPATH). Its stdout is a pipe the lab reads; written a
# line at a time, as Python writes to a terminal, each line comes out as it
# is printed, and the lines of a program and of the children it forks, who
# share the pipe, never mix in the middle (unbuffered, one print () is
# several write ()s). Then it steps aside: sys.path as the program would
# have it, and the system's own sitecustomize, if there is one, runs.
import os
import sys


def _socklens_start():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError, OSError):
        pass  # no stdout, or replaced by something else
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != here]
    for folder in sys.path:
        other = os.path.join(folder or '.', 'sitecustomize.py')
        if os.path.isfile(other):
            with open(other, 'rb') as source:
                code = compile(source.read(), other, 'exec')
            exec(code, {'__name__': 'sitecustomize', '__file__': other})
            break


_socklens_start()
del _socklens_start
