# hello greets the caller by the "param" of the JSON the client sent, which
# API Gateway's proxy integration hands over as the string event.body
# (direct invocations pass the same {"body": "..."} shape). Without a param
# it greets the article's default name; an empty param is a 400.
hello() {
  # The param's value, read from the event's escaped body text
  # (\"param\": \"...\", maybe with escaped \r\n around it).
  param=$(printf '%s' "$1" | sed -nE 's/.*\\"param\\"(\\[rnt]|[[:space:]])*:(\\[rnt]|[[:space:]])*\\"([^\\"]*)\\".*/\3/p')
  if printf '%s' "$1" | grep -q '\\"param\\"'; then
    if [ -z "$param" ]; then
      printf '{"statusCode":400,"body":"param must not be empty"}'
      return 0
    fi
  else
    param='山田 太郎'
  fi
  text=$(printf '%s' "${TEST_ENV_VAR:-}" | sed 's/\\/\\\\/g; s/"/\\"/g')
  printf '{"statusCode":200,"body":"%s %sさん"}' "$text" "$param"
}
