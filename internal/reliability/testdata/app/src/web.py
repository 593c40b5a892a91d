"""The app's REST, HTTP and WebSocket routes."""
import json
import os
import time
import urllib.request


def handler(event, context):
    ctx = event.get("requestContext", {})
    if "eventType" in ctx:
        return websocket(event, ctx)
    query = event.get("queryStringParameters") or {}
    if "sleep" in query:
        time.sleep(int(query["sleep"]) / 1000)
    path = event.get("rawPath") or event.get("path")
    body = event.get("body") or ""
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"path": path, "bytes": len(body), "pid": os.getpid(), "version": os.environ.get("VERSION")}),
    }


def websocket(event, ctx):
    if ctx["eventType"] != "MESSAGE":
        return {"statusCode": 200}
    body = json.loads(event.get("body") or "{}")
    action = body.get("action")
    if action == "whoami":
        post(ctx["connectionId"], json.dumps({"me": ctx["connectionId"]}))
    elif action == "echo":
        post(ctx["connectionId"], json.dumps({"echo": body.get("n")}))
    elif action == "broadcast":
        for n, target in enumerate(body["targets"]):
            if n == body.get("exitAfter", -1):
                os._exit(9)
            post(target, json.dumps({"from": ctx["connectionId"], "n": n}))
    return {"statusCode": 200}


def post(connection_id, data):
    url = os.environ["AWS_ENDPOINT_URL"] + "/@connections/" + connection_id
    req = urllib.request.Request(url, data=data.encode(), method="POST")
    urllib.request.urlopen(req, timeout=5).read()
