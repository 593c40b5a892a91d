package chat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/nimbus-dev/nimbus/internal/nimbus"
)

// api is one entry of GET /_nimbus/apis (DESIGN §3).
type api struct {
	LogicalID string `json:"logicalId"`
	APIID     string `json:"apiId"`
	Name      string `json:"name"`
	Protocol  string `json:"protocol"`
	Stage     string `json:"stage"`
	URL       string `json:"url"`
}

// appDoc is the part of GET /_nimbus/app these tests read.
type appDoc struct {
	APIs  []api `json:"apis"`
	Sites []struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"sites"`
}

// stack is examples/chat running on a real Nimbus.
type stack struct {
	srv     *nimbus.Server
	edgeURL string
	restURL string // e.g. http://127.0.0.1:3000/prod
	wsURL   string // e.g. ws://127.0.0.1:3001/production
	siteURL string // the web/ folder's URL; empty when Nimbus serves no site
}

// notReady reports that Nimbus cannot run the template: a skip on a
// developer's machine (a platform package may be mid-change), a failure
// under CI, where the flagship example must run.
func notReady(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("examples/chat: Nimbus cannot run this template: "+format, args...)
	}
	t.Skipf("examples/chat: Nimbus cannot run this template yet: "+format, args...)
}

// startStack runs `nimbus up examples/chat` in process: port 0, in memory.
func startStack(t *testing.T) *stack {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := nimbus.New(ctx, nimbus.Config{Template: dir, Port: 0, InMemory: true, Version: "test", Logger: logger})
	if err != nil {
		notReady(t, "nimbus.New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	s := &stack{srv: srv, edgeURL: srv.URL()}

	var apis []api
	if status := getJSON(t, s.edgeURL+"/_nimbus/apis", &apis); status != http.StatusOK {
		notReady(t, "GET /_nimbus/apis answered %d", status)
	}
	for _, a := range apis {
		switch a.LogicalID {
		case "ChatRestApi":
			s.restURL = strings.TrimSuffix(a.URL, "/")
		case "ChatWebSocketApi":
			s.wsURL = strings.TrimSuffix(a.URL, "/")
		}
	}
	if s.restURL == "" || s.wsURL == "" {
		notReady(t, "GET /_nimbus/apis lists %d APIs, not ChatRestApi and ChatWebSocketApi: %+v", len(apis), apis)
	}
	var doc appDoc
	if getJSON(t, s.edgeURL+"/_nimbus/app", &doc) == http.StatusOK {
		for _, site := range doc.Sites {
			if site.Name == "web" {
				s.siteURL = strings.TrimSuffix(site.URL, "/")
			}
		}
	}
	return s
}

// getJSON GETs url and decodes a 200 answer into v; it returns the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	return resp.StatusCode
}

func awsConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
}

// dynamo is a DynamoDB client for the edge port.
func (s *stack) dynamo() *dynamodb.Client {
	return dynamodb.NewFromConfig(awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.edgeURL) })
}

// connectionsTable finds the table that has the GSI joined_room_id-index.
func (s *stack) connectionsTable(ctx context.Context) (string, error) {
	db := s.dynamo()
	tables, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		return "", err
	}
	for _, name := range tables.TableNames {
		desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return "", err
		}
		for _, gsi := range desc.Table.GlobalSecondaryIndexes {
			if aws.ToString(gsi.IndexName) == "joined_room_id-index" {
				return name, nil
			}
		}
	}
	return "", fmt.Errorf("no table has the GSI joined_room_id-index among %v", tables.TableNames)
}

// connectionIDs lists the ids of userName's connections, from the table.
func (s *stack) connectionIDs(ctx context.Context, userName string) ([]string, error) {
	table, err := s.connectionsTable(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.dynamo().Scan(ctx, &dynamodb.ScanInput{
		TableName:                 aws.String(table),
		FilterExpression:          aws.String("user_name = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberS{Value: userName}},
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, item := range out.Items {
		if v, ok := item["connection_id"].(*types.AttributeValueMemberS); ok {
			ids = append(ids, v.Value)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// dropConnections closes userName's connections from the server side with
// the management API's DeleteConnection, as a dropped network would.
func (s *stack) dropConnections(ctx context.Context, userName string) (int, error) {
	ids, err := s.connectionIDs(ctx, userName)
	if err != nil {
		return 0, err
	}
	endpoint := "http" + strings.TrimPrefix(s.wsURL, "ws")
	mgmt := apigatewaymanagementapi.NewFromConfig(awsConfig(), func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
	for _, id := range ids {
		if _, err := mgmt.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
			return 0, fmt.Errorf("DeleteConnection %s: %w", id, err)
		}
	}
	return len(ids), nil
}
