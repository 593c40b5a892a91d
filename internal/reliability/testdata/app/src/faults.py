"""One handler, many ways to fail, chosen by the event's "how"."""
import os
import signal
import subprocess
import sys
import time


def handler(event, context):
    how = event.get("how", "ok")
    if how == "ok":
        return {"ok": True, "pid": os.getpid()}
    if how == "exit":
        os._exit(7)
    if how == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(5)
    if how == "raise":
        raise ValueError("handled failure")
    if how == "hang":
        time.sleep(3600)
    if how == "alloc":
        hog = []
        while True:
            chunk = bytearray(8 << 20)
            for i in range(0, len(chunk), 4096):
                chunk[i] = 1
            hog.append(chunk)
    if how == "loud":
        line = "x" * 1023
        for _ in range(8 * 1024):
            print(line)
        sys.stdout.write("y" * (1 << 20))
        sys.stdout.flush()
        return {"ok": True, "printed": 9 << 20}
    if how == "spawn":
        child = subprocess.Popen(["sleep", "300"])
        # A daemon in its own session, outside the runtime's process group.
        daemon = subprocess.Popen(["sleep", "301"], start_new_session=True)
        return {"child": child.pid, "daemon": daemon.pid}
    if how == "big":
        return {"blob": "z" * (7 << 20)}
    return {"unknown": how}
