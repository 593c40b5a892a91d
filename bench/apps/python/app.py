"""Echo handler for the Nimbus benchmark (bench/): returns its event."""


def handler(event, context):
    return event
