import json
import os

import boto3

# Clients are created with no endpoint: Nimbus sets AWS_ENDPOINT_URL.
dynamodb = boto3.client("dynamodb")


def put_note(event, context):
    note_id = event["pathParameters"]["id"]
    body = json.loads(event["body"] or "{}")
    dynamodb.put_item(
        TableName=os.environ["NOTES_TABLE"],
        Item={"id": {"S": note_id}, "text": {"S": body.get("text", "")}},
    )
    return {"statusCode": 201, "body": json.dumps({"id": note_id})}


def echo(event, context):
    # The management API endpoint built the way cloud code builds it:
    # https://{domainName}/{stage}, reached through Nimbus's HTTPS proxy.
    ctx = event["requestContext"]
    endpoint = "https://" + ctx["domainName"] + "/" + ctx["stage"]
    api = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
    text = json.loads(event["body"]).get("text", "")
    api.post_to_connection(ConnectionId=ctx["connectionId"], Data=("echo: " + text).encode())
    return {"statusCode": 200}


def headers(event, context):
    return {"statusCode": 200, "body": json.dumps(sorted(event["headers"].keys()))}
