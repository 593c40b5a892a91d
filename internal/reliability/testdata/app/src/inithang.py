import time

# Init never finishes (Lambda's init phase is limited to 10 s).
time.sleep(3600)


def handler(event, context):
    return "unreachable"
