#!/usr/bin/env python3
"""pty_session.py - drive an interactive program through a pseudo-terminal, as a person would.

    pty_session.py OUTDIR TIMEOUT -- COMMAND [ARGS...] < answers

Starts COMMAND on a new pty (80x200, TERM=xterm), then for every line of stdin:
waits for the prompt "m5sim> ", types the line and Enter. After the last line
it waits for the program to end. Everything the terminal received goes to
OUTDIR/transcript (raw bytes), what arrived between one answer and the next
prompt to OUTDIR/step-NN (NN from 00 = before the first answer), and the exit
status to OUTDIR/status. TIMEOUT (seconds) bounds every wait: it is there so
that a broken program cannot hang the suite, not to measure anything.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

PROMPT = b"m5sim> "


def main():
    outdir, timeout = sys.argv[1], float(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    answers = [line.rstrip("\n") for line in sys.stdin]
    os.makedirs(outdir, exist_ok=True)

    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 80, 200, 0, 0))

    buf = bytearray()
    eof = False

    def read_until(pred):
        nonlocal eof
        deadline = time.monotonic() + timeout
        while not pred() and not eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], min(left, 1.0))
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:   # EIO: the program closed the terminal
                    data = b""
                if not data:
                    eof = True
                buf.extend(data)
        return pred()

    def save(step, start):
        with open(os.path.join(outdir, "step-%02d" % step), "wb") as f:
            f.write(bytes(buf[start:]))

    start = 0
    ok = read_until(lambda: PROMPT in buf[start:])
    save(0, start)
    for i, answer in enumerate(answers, 1):
        if not ok:
            break
        time.sleep(0.05)   # let the line editor take the terminal (tidier transcript; not needed to pass)
        start = len(buf)
        os.write(fd, answer.encode() + b"\r")
        if i < len(answers):
            ok = read_until(lambda: buf.find(PROMPT, start) >= 0)
        else:
            ok = read_until(lambda: False) or eof
        save(i, start)
    if not eof:
        read_until(lambda: False)
    status = "timeout"
    if eof:
        _, ws = os.waitpid(pid, 0)
        status = str(os.waitstatus_to_exitcode(ws))
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    with open(os.path.join(outdir, "transcript"), "wb") as f:
        f.write(bytes(buf))
    with open(os.path.join(outdir, "status"), "w") as f:
        f.write(status + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
