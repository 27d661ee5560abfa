"""moto's IAM and STS server for the integration tests, with a control endpoint.

The IAM API has no way to set dates, so tests cannot create an old key through it. This
launcher runs moto in-process (ThreadedMotoServer) and serves, on a second loopback port, a
few POST endpoints that edit moto's backend directly:

  /backdate-key   {"account", "user", "access_key_id", "created"?, "last_used"?, "service"?, "region"?}
  /password-used  {"account", "user", "last_used"}
  /bootstrap      {"account", "user"} -> {"access_key_id", "secret_access_key"}: an administrator
                  user, created in-process, for a server that enforces IAM policies (where every
                  API call, seeding included, needs valid credentials)
  /health         (GET)

Usage: python server.py --port P --control-port C   (prints "ready" when both listen)
Set INITIAL_NO_AUTH_ACTION_COUNT=0 in its environment to make moto enforce IAM policies.
"""

import argparse
import datetime
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.iam.models import AccessKeyLastUsed, iam_backends
from moto.server import ThreadedMotoServer


def when(s):
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is not None:
        t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return t


def user(body):
    return iam_backends[body["account"]]["aws"].users[body["user"]]


class Control(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply(200 if self.path == "/health" else 404, "ok")

    def do_POST(self):
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path == "/bootstrap":
                backend = iam_backends[body["account"]]["aws"]
                backend.create_user("us-east-1", body["user"])
                backend.put_user_policy(
                    body["user"],
                    "admin",
                    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
                )
                key = backend.create_access_key(body["user"])
                return self.reply(200, json.dumps({"access_key_id": key.access_key_id, "secret_access_key": key.secret_access_key}))
            u = user(body)
            if self.path == "/backdate-key":
                keys = [k for k in u.access_keys if k.access_key_id == body["access_key_id"]]
                if not keys:
                    return self.reply(404, "no such key")
                key = keys[0]
                if "created" in body:
                    key.create_date = when(body["created"])
                if "last_used" in body:
                    key.last_used = AccessKeyLastUsed(
                        timestamp=when(body["last_used"]),
                        service=body.get("service", "s3"),
                        region=body.get("region", "us-east-1"),
                    )
            elif self.path == "/password-used":
                u.password_last_used = when(body["last_used"])
            else:
                return self.reply(404, "unknown endpoint")
            self.reply(200, "ok")
        except Exception as e:  # the test sees the reason
            self.reply(400, f"{type(e).__name__}: {e}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--control-port", type=int, required=True)
    a = p.parse_args()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=a.port, verbose=False)
    moto.start()
    control = ThreadingHTTPServer(("127.0.0.1", a.control_port), Control)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    control.shutdown()
    moto.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
