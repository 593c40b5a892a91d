package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium kept open across measurements, as a user's
// browser is already open when they paste the printed URL.
type Browser struct {
	ctx    context.Context
	cancel func()
}

// StartBrowser starts headless Chromium (Debian's `chromium`) and opens a
// first blank tab, so its own start is never part of a figure.
func StartBrowser(ctx context.Context) (*Browser, error) {
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		return nil, errors.New("no Chromium on PATH (apt-get install chromium)")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: bctx, cancel: func() { cancelBrowser(); cancelAlloc() }}
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		b.Close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return b, nil
}

// Close stops the browser.
func (b *Browser) Close() { b.cancel() }

// chatRoomList opens the chat's site in a fresh tab and returns how long
// the page took, from the start of its navigation (the page's own clock), to
// show the room list: the page, its scripts and config, and the REST API's
// getAllRooms call (a cold Go function on a fresh start). The tab is opened
// first, so the browser's own tab set-up is left out.
func (b *Browser) chatRoomList(ctx context.Context, siteURL string) (time.Duration, error) {
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, 30*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		return 0, fmt.Errorf("open a tab: %w", err)
	}
	err := chromedp.Do(tab, chromedp.Navigate(siteURL), chromedp.WaitVisible(chromedp.CSS("#rooms-view")))
	if err != nil {
		return 0, fmt.Errorf("room list at %s: %w", siteURL, err)
	}
	type shown struct {
		Status string  `json:"status"`
		At     float64 `json:"at"`
	}
	// The poll notes the page's clock when the status line first leaves
	// "Loading"; a 1 ms interval bounds the error.
	got, err := chromedp.Run(tab, chromedp.Poll[shown](`(() => { const s = document.getElementById("rooms-status").textContent;
		return s !== "" && !s.startsWith("Loading") ? {status: s, at: performance.now()} : null; })()`, chromedp.WithPollingInterval(time.Millisecond)))
	if err != nil {
		return 0, fmt.Errorf("room list at %s: %w", siteURL, err)
	}
	if strings.HasPrefix(got.Status, "Could not") {
		return 0, fmt.Errorf("room list at %s: the page says %q", siteURL, got.Status)
	}
	return time.Duration(got.At * float64(time.Millisecond)), nil
}

// siteURL asks a running Nimbus for the URL of its first static site.
func siteURL(ctx context.Context, edge string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, edge+"/_nimbus/app", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var app struct {
		Sites []struct {
			URL string `json:"url"`
		} `json:"sites"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil {
		return "", fmt.Errorf("/_nimbus/app: %w", err)
	}
	if len(app.Sites) == 0 {
		return "", errors.New("/_nimbus/app lists no site")
	}
	return app.Sites[0].URL, nil
}
