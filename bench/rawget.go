package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawGetItem replays GetItem requests signed once in advance over a
// keep-alive client, so the figure leaves out the SDK's per-call work
// (serialization, signing, middleware): the closest a client gets to the
// server's own time on loopback.
type rawGetItem struct {
	client *http.Client
	reqs   []rawRequest
}

type rawRequest struct {
	url    string
	body   []byte
	header http.Header
}

const rawKeys = 1000

func newRawGetItem(endpoint string, loaded int) (*rawGetItem, error) {
	g := &rawGetItem{client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: "bench", SecretAccessKey: "bench"}
	for i := range min(rawKeys, loaded) {
		body := fmt.Appendf(nil, `{"TableName":%q,"Key":{"pk":{"S":%q}}}`, benchTable, itemKey(i*loaded/min(rawKeys, loaded)))
		req, err := http.NewRequest("POST", endpoint+"/", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
		sum := sha256.Sum256(body)
		if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
			return nil, err
		}
		g.reqs = append(g.reqs, rawRequest{url: endpoint + "/", body: body, header: req.Header})
	}
	return g, nil
}

func (g *rawGetItem) get(ctx context.Context, r *rand.Rand) error {
	rr := g.reqs[r.IntN(len(g.reqs))]
	req, err := http.NewRequestWithContext(ctx, "POST", rr.url, bytes.NewReader(rr.body))
	if err != nil {
		return err
	}
	req.Header = rr.header.Clone()
	resp, err := g.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"Item"`)) {
		return fmt.Errorf("GetItem: %s: %.200s", resp.Status, b)
	}
	return nil
}
