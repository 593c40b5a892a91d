import json
import os


def handler(event, context):
    print("python function got", json.dumps(event, sort_keys=True))
    if event.get("touch"):
        with open(event["touch"], "w") as f:
            f.write(context.aws_request_id)
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"version": VERSION, "in": event, "greeting": os.environ.get("GREETING"),
            "memory": context.memory_limit_in_mb, "function": context.function_name}


VERSION = 1
