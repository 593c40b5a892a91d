package dynamodb

import (
	"net/http"
	"strings"
)

// checkSignature refuses a request that carries no AWS signature at all, or
// a SigV4 Authorization header that lacks one of its parts, as DynamoDB
// does before looking at the request: every SDK and the AWS CLI sign their
// requests, so only hand-made requests meet this. The signature itself is
// not verified: any credentials are accepted (DESIGN §3).
func checkSignature(r *http.Request) *apiError {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-") {
		if r.URL.Query().Get("X-Amz-Algorithm") != "" {
			return nil // a pre-signed URL
		}
		return &apiError{Type: typeMissingAuthToken, Message: "Request is missing Authentication Token"}
	}
	var missing strings.Builder
	for _, part := range []string{"Credential", "Signature", "SignedHeaders"} {
		if !strings.Contains(auth, part+"=") {
			missing.WriteString("Authorization header requires '" + part + "' parameter. ")
		}
	}
	if r.Header.Get("X-Amz-Date") == "" && r.Header.Get("Date") == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() == 0 {
		return nil
	}
	return &apiError{Type: typeIncompleteSignature, Message: missing.String() + "Authorization=" + auth}
}

// responseContentType is the Content-Type DynamoDB answers with: its own
// application/x-amz-json-1.0 when the request used it (as every SDK does),
// application/json otherwise.
func responseContentType(r *http.Request) string {
	if strings.HasPrefix(r.Header.Get("Content-Type"), contentTypeAmzJSON) {
		return contentTypeAmzJSON
	}
	return "application/json"
}

const contentTypeAmzJSON = "application/x-amz-json-1.0"
