raise RuntimeError("the module refuses to load")


def handler(event, context):
    return "unreachable"
