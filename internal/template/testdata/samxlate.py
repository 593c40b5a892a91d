"""Expand SAM templates with aws-sam-translator and print what the Nimbus
loader must agree with, as JSON keyed by template path: the APIs SAM generates (logical id,
protocol, stages), their routes (from the generated OpenAPI bodies) with the
function each one integrates, and the Lambda permissions SAM adds for API
events. Used by the Go test TestSAMTranslatorCrossCheck.

Local CodeUri/ContentUri paths are swapped for S3 URIs first (as `sam
package` would), and a DefinitionUri file is inlined as DefinitionBody.
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class Policies:
    """A managed policy loader that knows every AWS managed policy name."""

    def load(self):
        return _AnyPolicy()


class _AnyPolicy(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return "arn:aws:iam::aws:policy/" + key

    def get(self, key, default=None):
        return self[key]


def prepare(template, base):
    for res in template.get("Resources", {}).values():
        props = res.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                props[key] = "s3://bucket/" + key.lower()
        uri = props.get("DefinitionUri")
        if isinstance(uri, str) and not uri.startswith("s3://"):
            with open(os.path.join(base, uri)) as f:
                props["DefinitionBody"] = yaml_parse(f.read())
            del props["DefinitionUri"]
    return template


def function_of(uri):
    """The logical id of the function an integration URI names."""
    text = json.dumps(uri)
    if isinstance(uri, dict) and "Fn::Sub" in uri:
        sub = uri["Fn::Sub"]
        s = sub if isinstance(sub, str) else sub[0]
        start = s.find("functions/${")
        if start >= 0:
            name = s[start + len("functions/${"):]
            return name.split(".")[0].split("}")[0]
    return text


def expand(path):
    with open(path) as f:
        template = prepare(yaml_parse(f.read()), os.path.dirname(path))
    out = transform(template, {}, Policies())
    resources = out["Resources"]
    apis = {}
    for lid, res in resources.items():
        t = res["Type"]
        if t in ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
            body = res["Properties"].get("Body", {})
            routes = []
            for p, ops in sorted(body.get("paths", {}).items()):
                for m, op in sorted(ops.items()):
                    integ = op.get("x-amazon-apigateway-integration") if isinstance(op, dict) else None
                    if not integ:
                        continue
                    method = "ANY" if m == "x-amazon-apigateway-any-method" else m.upper()
                    routes.append({"method": method, "path": p, "type": integ.get("type", "").upper(),
                                   "function": function_of(integ.get("uri")),
                                   "payload": integ.get("payloadFormatVersion", "")})
            apis[lid] = {"protocol": "REST" if t == "AWS::ApiGateway::RestApi" else "HTTP", "stages": [], "routes": routes}
    for lid, res in resources.items():
        t = res["Type"]
        props = res.get("Properties", {})
        if t == "AWS::ApiGateway::Stage":
            apis[props["RestApiId"]["Ref"]]["stages"].append(props["StageName"])
        elif t == "AWS::ApiGatewayV2::Stage":
            apis[props["ApiId"]["Ref"]]["stages"].append(props["StageName"])
    permissions = []
    for lid, res in sorted(resources.items()):
        if res["Type"] != "AWS::Lambda::Permission":
            continue
        props = res["Properties"]
        src = props.get("SourceArn", {}).get("Fn::Sub")
        if not isinstance(src, list):
            continue
        fmt, variables = src
        api = variables.get("__ApiId__", {}).get("Ref")
        if api is None:
            continue
        rest = fmt.split("${__ApiId__}/", 1)[1]
        parts = rest.split("/", 2)
        if len(parts) == 2:  # an HTTP API's $default route: any method, any path
            parts = [parts[0], "*", "*"]
        stage, method, path = parts
        method = "ANY" if method == "*" else method
        permissions.append({"function": props["FunctionName"]["Ref"], "api": api, "method": method, "path": "/" + path})
    return {"apis": apis, "permissions": permissions}


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    json.dump({path: expand(path) for path in sys.argv[1:]}, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
