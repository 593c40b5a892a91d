"""Nimbus's Python runtime: loads the handler named by _HANDLER from
LAMBDA_TASK_ROOT and serves invocations through the Lambda Runtime API,
with Lambda's context object, error format and log format."""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

RUNTIME_PATH = "/2018-06-01/runtime"


class _RuntimeResponse(http.client.HTTPResponse):
    """http.client.HTTPResponse as Python defines it, kept from before the
    function's code loads (see _RuntimeConnection)."""

    read = http.client.HTTPResponse.read


class _RuntimeConnection(http.client.HTTPConnection):
    """http.client.HTTPConnection with the methods Python defines, taken
    before the function's code loads: tracers that patch the class (the
    X-Ray SDK's patch_all, under Powertools' Tracer) must not see the
    runtime's own Runtime API calls, as on Lambda, whose runtime client
    does not use http.client. Unpatched, they log "cannot find the current
    segment/subsegment" for every /invocation/next."""

    response_class = _RuntimeResponse
    request = http.client.HTTPConnection.request
    _send_request = http.client.HTTPConnection._send_request
    getresponse = http.client.HTTPConnection.getresponse
    putrequest = http.client.HTTPConnection.putrequest
    putheader = http.client.HTTPConnection.putheader
    endheaders = http.client.HTTPConnection.endheaders
    send = http.client.HTTPConnection.send
    connect = http.client.HTTPConnection.connect


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.conn = _RuntimeConnection(host.strip("[]"), int(port))

    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                self.conn.request(method, RUNTIME_PATH + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                if attempt:
                    raise
        raise RuntimeError("unreachable")

    def next(self):
        return self.call("GET", "/invocation/next")

    def respond(self, request_id, body):
        return self.call("POST", "/invocation/%s/response" % request_id, body, {"Content-Type": "application/json"})

    def error(self, path, err):
        body = json.dumps(err).encode()
        self.call("POST", path, body, {
            "Content-Type": "application/json",
            "Lambda-Runtime-Function-Error-Type": err.get("errorType", "Runtime.Unknown"),
        })


class CognitoIdentity:
    def __init__(self, raw):
        self.cognito_identity_id = raw.get("cognitoIdentityId")
        self.cognito_identity_pool_id = raw.get("cognitoIdentityPoolId")


class ClientContext:
    def __init__(self, raw):
        self.client = raw.get("client")
        self.custom = raw.get("custom")
        self.env = raw.get("env")


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id = None
        self.identity = CognitoIdentity(_json_header(headers, "Lambda-Runtime-Cognito-Identity") or {})
        client_context = _json_header(headers, "Lambda-Runtime-Client-Context")
        self.client_context = ClientContext(client_context) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s,invoked_function_arn=%s])" % (
            self.aws_request_id, self.function_name, self.function_version, self.invoked_function_arn)


def _json_header(headers, name):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaLogHandler(logging.StreamHandler):
    """Writes records as Lambda does, one line each (newlines become \\r)."""

    def emit(self, record):
        try:
            msg = self.format(record).replace("\n", "\r")
            sys.stdout.write(msg + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


# JSON_LOGS is Lambda's JSON log format (LoggingConfig.LogFormat JSON):
# Lambda sets AWS_LAMBDA_LOG_FORMAT=JSON and the application log level in
# AWS_LAMBDA_LOG_LEVEL.
JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"

# LOG_LEVELS maps Lambda's application log levels to the root logger's.
LOG_LEVELS = {"TRACE": logging.NOTSET, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
              "WARN": logging.WARNING, "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}

# _RECORD_ATTRIBUTES are LogRecord's own attributes: the others (extra=...)
# become members of JSON records.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "aws_request_id"}


class JsonFormatter(logging.Formatter):
    """Formats records as Lambda's Python runtime does with the JSON log
    format: timestamp (seconds, UTC), level, message, logger, requestId,
    the exception's stackTrace, errorType, errorMessage and location, and
    the record's extra attributes; unset members are left out."""

    def __init__(self):
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%SZ")
        self.converter = time.gmtime

    def format(self, record):
        level = min(50, max(0, record.levelno)) // 10 * 10
        exc = record.exc_info
        out = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None) or None,
            "location": "%s:%s:%d" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in out:
                out[key] = value
        return json.dumps({k: v for k, v in out.items() if v is not None}, default=str, ensure_ascii=False)


def setup_logging():
    handler = LambdaLogHandler()
    root = logging.getLogger()
    if JSON_LOGS:
        handler.setFormatter(JsonFormatter())
        root.setLevel(LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper(), logging.NOTSET))
    else:
        formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)


def log_error(obj):
    """Logs an invocation's or the init's error as Lambda's Python runtime
    does: "[ERROR] Type: message" with Text, a JSON record with JSON."""
    if JSON_LOGS:
        record = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "log_level": "ERROR"}
        record.update(obj)
        print(json.dumps(record, default=str), flush=True)
    else:
        print("[ERROR] %s: %s" % (obj["errorType"], obj["errorMessage"]), flush=True)


def error_object(exc, error_type=None, message=None, request_id=""):
    tb = traceback.extract_tb(exc.__traceback__) if exc is not None else []
    tb = [frame for frame in tb if frame.filename != __file__]
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(tb),
    }


class InitError(Exception):
    def __init__(self, obj):
        super().__init__(obj["errorMessage"])
        self.obj = obj


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError:
        raise InitError({"errorMessage": "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec,
                         "errorType": "Runtime.MalformedHandlerName", "requestId": "", "stackTrace": []})
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except SyntaxError as e:
        raise InitError(error_object(e, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e)))
    except ImportError as e:
        raise InitError(error_object(e, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e)))
    except Exception as e:
        raise InitError(error_object(e))
    handler = getattr(module, fname, None)
    if handler is None:
        raise InitError({"errorMessage": "Handler '%s' missing on module '%s'" % (fname, modname),
                         "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    return handler


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    setup_logging()
    try:
        handler = load_handler()
    except InitError as e:
        log_error(e.obj)
        client.error("/init/error", e.obj)
        sys.exit(1)
    while True:
        _, headers, body = client.next()
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        RequestIdFilter.request_id = request_id
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        try:
            event = json.loads(body or b"null")
        except ValueError as e:
            client.error("/invocation/%s/error" % request_id, error_object(e, "Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e, request_id))
            continue
        try:
            result = handler(event, LambdaContext(headers))
        except Exception as e:
            obj = error_object(e, request_id=request_id)
            log_error(obj)
            client.error("/invocation/%s/error" % request_id, obj)
            continue
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            client.error("/invocation/%s/error" % request_id, error_object(e, "Runtime.MarshalError", "Unable to marshal response: %s" % e, request_id))
            continue
        client.respond(request_id, payload)


if __name__ == "__main__":
    main()
