// router: ANY /welcome/{proxy+} (Lambda proxy integration). One function
// for every path and method under /welcome, branching on event.httpMethod.
exports.handler = async (event) => {
  const headers = { "Access-Control-Allow-Origin": "*" };
  if (event.httpMethod == "GET") {
    return {
      statusCode: 200,
      headers,
      body: JSON.stringify({ method: "get", path: event.path, proxy: event.pathParameters.proxy }),
    };
  } else {
    return {
      statusCode: 200,
      headers,
      body: JSON.stringify({ method: "post", path: event.path, received: event.body }),
    };
  }
};
