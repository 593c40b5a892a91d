"""Drives a Nimbus DynamoDB endpoint with boto3 (client and resource APIs).

Usage: python3 boto3_suite.py ENDPOINT_URL
Prints one line per scenario and 'N passed, N failed' at the end; exits
non-zero on any failure.
"""
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

URL = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="AKID", aws_secret_access_key="SECRET", region_name="us-east-1")
cfg = Config(retries={"max_attempts": 1})
client = session.client("dynamodb", endpoint_url=URL, config=cfg)
resource = session.resource("dynamodb", endpoint_url=URL, config=cfg)

results = []


def scenario(fn):
    try:
        fn()
        results.append((fn.__name__, None))
    except Exception as e:  # noqa: BLE001 - report every failure
        results.append((fn.__name__, repr(e)))
    return fn


def expect_error(code, message, fn):
    try:
        fn()
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == code, f"code {err['Code']} != {code}: {err}"
        if message is not None:
            assert err["Message"] == message, f"message {err['Message']!r} != {message!r}"
        return e
    raise AssertionError(f"expected {code}")


@scenario
def create_table_and_wait():
    client.create_table(
        TableName="rooms",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "room", "AttributeType": "S"},
                              {"AttributeName": "ts", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byRoom",
                                 "KeySchema": [{"AttributeName": "room", "KeyType": "HASH"},
                                               {"AttributeName": "ts", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
    )
    client.get_waiter("table_exists").wait(TableName="rooms", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    d = client.describe_table(TableName="rooms")["Table"]
    assert d["TableStatus"] == "ACTIVE"
    assert d["TableArn"].endswith(":table/rooms")
    assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"


@scenario
def resource_put_get_types():
    t = resource.Table("rooms")
    t.put_item(Item={"id": "c1", "room": "r1", "ts": 1, "price": Decimal("1.50"), "tags": {"a", "b"},
                     "doc": {"nested": [1, "two", None, True]}, "blob": b"\x00\x01", "empty": ""})
    item = t.get_item(Key={"id": "c1"}, ConsistentRead=True)["Item"]
    assert item["price"] == Decimal("1.5"), item
    assert item["tags"] == {"a", "b"}
    assert item["doc"]["nested"] == [1, "two", None, True]
    assert item["blob"].value == b"\x00\x01"
    assert item["empty"] == ""


@scenario
def conditional_put_fails():
    t = resource.Table("rooms")
    e = expect_error("ConditionalCheckFailedException", "The conditional request failed",
                     lambda: t.put_item(Item={"id": "c1", "room": "r1", "ts": 1},
                                        ConditionExpression="attribute_not_exists(id)",
                                        ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    assert e.response["Item"]["id"] == {"S": "c1"}, e.response


@scenario
def update_counter_and_return_values():
    t = resource.Table("rooms")
    out = t.update_item(Key={"id": "c1"}, UpdateExpression="SET hits = if_not_exists(hits, :z) + :one",
                        ExpressionAttributeValues={":z": 0, ":one": 1}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"hits": 1}, out
    out = t.update_item(Key={"id": "c1"}, UpdateExpression="ADD hits :one REMOVE doc.nested[0]",
                        ExpressionAttributeValues={":one": 1}, ReturnValues="ALL_NEW")
    assert out["Attributes"]["hits"] == 2
    assert out["Attributes"]["doc"]["nested"] == ["two", None, True]


@scenario
def query_gsi_with_pagination():
    t = resource.Table("rooms")
    with t.batch_writer() as w:
        for i in range(60):
            w.put_item(Item={"id": f"m{i}", "room": "r2", "ts": i})
    pages = client.get_paginator("query").paginate(
        TableName="rooms", IndexName="byRoom", KeyConditionExpression="room = :r AND ts >= :t",
        ExpressionAttributeValues={":r": {"S": "r2"}, ":t": {"N": "10"}}, Limit=7, ScanIndexForward=False)
    seen = [int(i["ts"]["N"]) for p in pages for i in p["Items"]]
    assert seen == list(range(59, 9, -1)), seen
    out = t.query(IndexName="byRoom", KeyConditionExpression=Key("room").eq("r2") & Key("ts").between(3, 5))
    assert [int(i["ts"]) for i in out["Items"]] == [3, 4, 5]


@scenario
def scan_with_filter_and_last_evaluated_key():
    t = resource.Table("rooms")
    items, kwargs = [], {"FilterExpression": Attr("room").eq("r2"), "Limit": 9}
    while True:
        out = t.scan(**kwargs)
        items.extend(out["Items"])
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    assert len(items) == 60, len(items)


@scenario
def batch_get_and_write_shapes():
    out = client.batch_get_item(RequestItems={"rooms": {"Keys": [{"id": {"S": "m1"}}, {"id": {"S": "nope"}}]}})
    assert len(out["Responses"]["rooms"]) == 1 and out["UnprocessedKeys"] == {}
    out = client.batch_write_item(RequestItems={"rooms": [{"DeleteRequest": {"Key": {"id": {"S": "m1"}}}}]},
                                  ReturnConsumedCapacity="TOTAL")
    assert out["UnprocessedItems"] == {} and out["ConsumedCapacity"][0]["TableName"] == "rooms"


@scenario
def transaction_cancellation_reasons():
    e = expect_error("TransactionCanceledException", None, lambda: client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "rooms", "Item": {"id": {"S": "t1"}, "room": {"S": "r"}, "ts": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "rooms", "Key": {"id": {"S": "c1"}}, "ConditionExpression": "hits = :h",
                            "ExpressionAttributeValues": {":h": {"N": "99"}}}},
    ]))
    reasons = [r["Code"] for r in e.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"], reasons
    assert "t1" not in [i["id"] for i in resource.Table("rooms").scan()["Items"]]


@scenario
def validation_errors():
    expect_error("ResourceNotFoundException", "Requested resource not found",
                 lambda: client.get_item(TableName="missing", Key={"id": {"S": "x"}}))
    expect_error("ValidationException", "The provided key element does not match the schema",
                 lambda: client.get_item(TableName="rooms", Key={"nope": {"S": "x"}}))
    expect_error("ValidationException", '1 validation error detected: Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
                 lambda: client.update_item(TableName="rooms", Key={"id": {"S": "c1"}}, UpdateExpression="INVALID SYNTAX HERE"))
    expect_error("ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}",
                 lambda: client.get_item(TableName="rooms", Key={"id": {"S": "c1"}}, ProjectionExpression="id",
                                         ExpressionAttributeNames={"#u": "x"}))


@scenario
def ttl_and_tags():
    client.update_time_to_live(TableName="rooms", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    d = client.describe_time_to_live(TableName="rooms")["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}, d
    arn = client.describe_table(TableName="rooms")["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


@scenario
def delete_table():
    client.delete_table(TableName="rooms")
    assert client.list_tables()["TableNames"] == []


failed = 0
for name, err in results:
    print(("PASS " if err is None else "FAIL ") + name + ("" if err is None else ": " + err))
    failed += err is not None
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
