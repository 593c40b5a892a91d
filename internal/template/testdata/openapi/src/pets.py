def list_handler(event, context):
    return {"statusCode": 200, "body": "[]"}


def create_handler(event, context):
    return {"body": event}
