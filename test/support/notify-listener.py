# A stand-in for systemd's notification socket: binds a unix datagram socket, prints every
# message it receives as one line, and closes any file descriptor passed with it (systemd-notify's
# barrier waits for exactly that). Run with /usr/bin/python3.
import array
import os
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    msg, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
            for fd in fds:
                os.close(fd)
    for line in msg.decode("utf-8", "replace").splitlines():
        print(line, flush=True)
