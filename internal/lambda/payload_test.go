package lambda

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nimbus-dev/nimbus/internal/app"
)

// TestInvokeRefusesInvalidUTF8: a payload that is JSON except for bytes
// that are not UTF-8 is refused before the function runs, as Lambda does.
func TestInvokeRefusesInvalidUTF8(t *testing.T) {
	h := newHarness(t, Options{})
	dir := writeFiles(t, map[string]string{"bootstrap": "#!/bin/sh\nexit 1\n"})
	err := h.svc.Apply(context.Background(), []*app.Function{{Name: "utf", Runtime: "provided.al2023", Handler: "x", CodeDir: dir, Timeout: 3 * time.Second, MemorySize: 128}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Invoke(context.Background(), &sdk.InvokeInput{FunctionName: aws.String("utf"), Payload: []byte("{\"a\":\"\xff\xfe\"}")})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "Invalid UTF-8 start byte 0xff") {
		t.Fatalf("invalid UTF-8 payload: %v", err)
	}
	if invalidUTF8([]byte(`{"é":"ü"}`)) != -1 || invalidUTF8([]byte("ab\xc3(")) != 2 {
		t.Error("invalidUTF8 misplaces the bad byte")
	}
}
