"""The real wangge-server on a loopback port, for the FFI tests.

Started from the binary named by WANGGE_SERVER_BIN with a fresh data directory (SQLite and
the demo organisation); its address is read from the line it prints when it listens.
"""

import os
import re
import subprocess
import tempfile
import threading

DEMO_PASSWORD = "wangge-demo"


class Server:
    def __init__(self):
        binary = os.environ.get("WANGGE_SERVER_BIN")
        if not binary:
            raise RuntimeError("set WANGGE_SERVER_BIN to the wangge-server binary")
        self.data = tempfile.TemporaryDirectory(prefix="wangge-ffi-server-")
        self.process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data-dir", self.data.name],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = None
        for line in self.process.stdout:
            found = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
                break
        if self.url is None:
            self.stop()
            raise RuntimeError("wangge-server exited before it listened")
        # Keep reading its output so it never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.data.cleanup()
