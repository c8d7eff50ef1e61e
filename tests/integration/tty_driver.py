#!/usr/bin/env python3
"""Runs a command under a new pseudo-terminal and plays a script against it.

Usage: tty_driver.py [--rows R --cols C] [STEP...] -- COMMAND...
Steps, in order:
  --expect REGEX   wait until the output since the last match matches REGEX
  --send TEXT      type TEXT (Python escapes: '\\x10\\x11' is ctrl-p ctrl-q)
  --resize R C     change the window size (the command gets SIGWINCH)
Then waits for the command to exit, prints everything it wrote to the
terminal on stdout, and exits with its exit code. A step or the exit that
never comes fails after a generous limit with exit code 124 (the output so
far on stderr), so a hang shows as a failure, not a stuck suite.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

LIMIT_SECONDS = int(os.environ.get("TTY_DRIVER_LIMIT", "120"))


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def parse(argv):
    rows, cols, steps = 24, 80, []
    i = 0
    while i < len(argv) and argv[i] != "--":
        arg = argv[i]
        if arg in ("--rows", "--cols"):
            value = int(argv[i + 1])
            rows, cols = (value, cols) if arg == "--rows" else (rows, value)
            i += 2
        elif arg == "--expect":
            steps.append(("expect", re.compile(argv[i + 1].encode())))
            i += 2
        elif arg == "--send":
            text = argv[i + 1].encode().decode("unicode_escape").encode("latin-1")
            steps.append(("send", text))
            i += 2
        elif arg == "--resize":
            steps.append(("resize", (int(argv[i + 1]), int(argv[i + 2]))))
            i += 3
        else:
            sys.exit(f"tty_driver: unknown argument {arg}")
    return rows, cols, steps, argv[i + 1:]


class Session:
    def __init__(self, master):
        self.master = master
        self.output = b""
        self.unmatched = 0  # where the next --expect starts looking
        self.ended = False

    def read(self, timeout):
        if self.ended:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every process closed the terminal
            data = b""
        if not data:
            self.ended = True
            return False
        self.output += data
        return True

    def expect(self, pattern):
        deadline = time.monotonic() + LIMIT_SECONDS
        while time.monotonic() < deadline:
            match = pattern.search(self.output, self.unmatched)
            if match:
                self.unmatched = match.end()
                return
            if not self.read(0.2) and not pattern.search(self.output, self.unmatched):
                self.fail(f"the command ended before printing /{pattern.pattern.decode()}/")
        self.fail(f"no /{pattern.pattern.decode()}/ in the output")

    def fail(self, why):
        sys.stderr.write(f"tty_driver: {why}; output so far: {self.output!r}\n")
        sys.exit(124)


def main():
    rows, cols, steps, command = parse(sys.argv[1:])
    pid, master = pty.fork()
    if pid == 0:
        set_size(0, rows, cols)
        os.execvp(command[0], command)
    session = Session(master)
    for kind, value in steps:
        if kind == "expect":
            session.expect(value)
        elif kind == "send":
            os.write(master, value)
        elif kind == "resize":
            set_size(master, *value)
            # The kernel signals the terminal's foreground group; make sure.
            os.kill(pid, signal.SIGWINCH)
    deadline = time.monotonic() + LIMIT_SECONDS
    status = None
    while status is None:
        session.read(0.2)
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
        elif time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            session.fail("the command did not exit")
    # What is left in the terminal (EIO once the command's side is closed).
    while not session.ended and select.select([master], [], [], 0.2)[0]:
        session.read(0)
    sys.stdout.buffer.write(session.output)
    sys.stdout.flush()
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode")
             else status >> 8)


if __name__ == "__main__":
    main()
