# inspect answers with the event it was given, as JSON text in the body, so
# a client can see exactly what API Gateway handed the function.
inspect() {
  escaped=$(printf '%s' "$1" | tr -d '\n' | sed 's/\\/\\\\/g; s/"/\\"/g')
  printf '{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"%s"}' "$escaped"
}
