package thirdpartynode

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/compat/internal/compattest"
)

// TestSimpleWebSocketChat runs wschat/ (AWS's "simple websockets chat app"
// shape) and talks to it as the sample's README does with wscat:
// {"action":"sendmessage","data":"..."} reaches every connected client.
func TestSimpleWebSocketChat(t *testing.T) {
	compattest.RequireNode(t)
	a := compattest.Start(t, "wschat/template.yaml")
	api := a.API(t, "SimpleChatWebSocket")
	if api.Protocol != "WEBSOCKET" || api.Stage != "Prod" || !strings.HasSuffix(api.URL, "/Prod") {
		t.Fatalf("API %+v", api)
	}
	var app struct {
		Outputs map[string]string `json:"outputs"`
	}
	compattest.GetJSON(t, a.Edge+"/_nimbus/app", &app)
	if app.Outputs["WebSocketURI"] != api.URL || !strings.HasSuffix(app.Outputs["ConnectionsTableArn"], ":table/simplechat_connections") {
		t.Errorf("outputs %v, want WebSocketURI %s", app.Outputs, api.URL)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := a.DynamoDB()
	table := aws.String("simplechat_connections")
	connections := func() int {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: table})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Items)
	}

	alice, resp, err := compattest.DialWS(ctx, t, api.URL)
	if err != nil {
		t.Fatalf("connect: %v (%v)", err, resp)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("handshake %d", resp.StatusCode)
	}
	bob, _, err := compattest.DialWS(ctx, t, api.URL)
	if err != nil {
		t.Fatal(err)
	}
	if n := connections(); n != 2 {
		t.Fatalf("%d connections stored after two $connect, want 2", n)
	}

	// A connection that left without $disconnect: PostToConnection answers
	// 410 GoneException and the handler deletes it.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table,
		Item: map[string]types.AttributeValue{"connectionId": &types.AttributeValueMemberS{Value: "ZZZZZZZZZZZZZZZ="}}}); err != nil {
		t.Fatal(err)
	}

	if err := alice.Send(ctx, `{"action":"sendmessage","data":"hello everyone"}`); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*compattest.WS{"alice": alice, "bob": bob} {
		if got, err := c.Next(10 * time.Second); err != nil || got != "hello everyone" {
			t.Errorf("%s got %q, %v", name, got, err)
		}
	}
	// The handler deletes the stale item after the 410, concurrently with
	// the other posts, so it may land after the frames.
	compattest.Eventually(t, 10*time.Second, "the stale connection to be deleted", func() bool { return connections() == 2 })

	// No route matches an unknown action and there is no $default route:
	// API Gateway answers the sender alone with an error frame.
	if err := bob.Send(ctx, `{"action":"shout","data":"x"}`); err != nil {
		t.Fatal(err)
	}
	got, err := bob.Next(5 * time.Second)
	var frame struct {
		Message      string `json:"message"`
		ConnectionID string `json:"connectionId"`
		RequestID    string `json:"requestId"`
	}
	if err != nil || json.Unmarshal([]byte(got), &frame) != nil || frame.Message != "Forbidden" || frame.ConnectionID == "" || frame.RequestID == "" {
		t.Errorf("unknown action: %q, %v", got, err)
	}

	bob.Close()
	compattest.Eventually(t, 10*time.Second, "$disconnect to delete bob's connection", func() bool { return connections() == 1 })
	if err := alice.Send(ctx, `{"action":"sendmessage","data":"anyone?"}`); err != nil {
		t.Fatal(err)
	}
	if got, err := alice.Next(10 * time.Second); err != nil || got != "anyone?" {
		t.Errorf("alice got %q, %v", got, err)
	}
}
