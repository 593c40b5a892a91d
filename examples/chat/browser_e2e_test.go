package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// findChromium returns the Chromium binary, or skips (fails under CI) when
// it is not installed.
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium", "chromium", "chromium-browser"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required under CI: apt-get install chromium")
	}
	t.Skip("Chromium is not installed: apt-get install chromium (or set CHROMIUM_PATH)")
	return ""
}

// TestChatInBrowser is the chat as a person uses it, in headless Chromium:
// three pages, two rooms, a dropped connection and a page that comes back.
func TestChatInBrowser(t *testing.T) {
	chromium := findChromium(t)
	s := startStack(t)
	if s.siteURL == "" {
		notReady(t, "GET /_nimbus/app lists no site named web (template Metadata Nimbus.Sites)")
	}
	runBrowserChat(t, chromium, s.siteURL, s.dropConnections)
}

// screenshotDir is where screenshots go: $CHAT_SCREENSHOT_DIR, or a new
// temporary folder that is kept (its path is logged).
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("CHAT_SCREENSHOT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	dir, err := os.MkdirTemp("", "nimbus-chat-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// page is one browser tab of the chat.
type page struct {
	t    *testing.T
	name string
	ctx  context.Context
}

// do runs chromedp steps with a deadline, failing the test on error.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v\n%s", p.name, what, err, p.describe())
	}
}

// describe reports what the page shows, for failure messages.
func (p *page) describe() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		hash: location.hash,
		status: document.getElementById("status")?.textContent,
		errors: [...document.querySelectorAll("[role=alert]")].filter(e => !e.closest("[hidden]")).map(e => e.textContent.trim()).filter(Boolean),
		log: [...document.querySelectorAll("#log li")].map(li => li.textContent),
		rooms: document.getElementById("rooms-status")?.textContent,
	})`))
	return "page state: " + state
}

// waitJS polls a JavaScript predicate until it is true.
func (p *page) waitJS(what, expr string) {
	p.t.Helper()
	p.do(what, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(25*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// logCount is a JS expression counting log entries containing text.
func logCount(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#log li")].filter(li => li.textContent.includes(%s)).length`, jsString(text))
}

func (p *page) waitLog(text string, atLeast int) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("wait for %d× %q in the log", atLeast, text), fmt.Sprintf("%s >= %d", logCount(text), atLeast))
}

func (p *page) count(text string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](logCount(text)))
	if err != nil {
		p.t.Fatalf("%s: count %q: %v", p.name, text, err)
	}
	return n
}

func (p *page) waitConnected() {
	p.t.Helper()
	p.waitJS("wait until connected", `document.getElementById("status").dataset.state === "connected"`)
}

// clearInput empties an input by id.
func clearInput(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%s).value = ""`, jsString(id)))
}

// open loads the site and types the page's name.
func (p *page) open(siteURL string) {
	p.t.Helper()
	p.do("open the site",
		chromedp.Navigate(siteURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		clearInput("name"),
		chromedp.SendKeys(chromedp.CSS("#name"), p.name),
	)
}

func (p *page) createRoom(name string) {
	p.t.Helper()
	p.do("create room "+name,
		chromedp.SendKeys(chromedp.CSS("#room-name"), name),
		chromedp.Click(chromedp.CSS("#create-room")),
		chromedp.WaitVisible(chromedp.CSS("#room-view")),
	)
	p.waitConnected()
	p.waitJS("wait for the room title", fmt.Sprintf(`document.getElementById("room-title").textContent === %s`, jsString(name)))
}

func (p *page) joinRoom(name string) {
	p.t.Helper()
	button := chromedp.CSS(fmt.Sprintf(`#rooms button[aria-label=%s]`, jsString("Join "+name)))
	p.do("join room "+name,
		chromedp.Click(chromedp.CSS("#refresh-rooms")),
		chromedp.WaitVisible(button),
		chromedp.Click(button),
		chromedp.WaitVisible(chromedp.CSS("#room-view")),
	)
	p.waitConnected()
}

// say types a message and presses Enter.
func (p *page) say(text string) {
	p.t.Helper()
	p.do("say "+text, chromedp.SendKeys(chromedp.CSS("#message"), text+"\r"))
}

func (p *page) screenshot(dir, file string) []byte {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("%s: screenshot: %v", p.name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	return png
}

// runBrowserChat is the browser scenario against a running chat site.
// drop closes a user's connections from the server side.
func runBrowserChat(t *testing.T, chromium, siteURL string, drop func(context.Context, string) (int, error)) {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromium, err)
	}
	newPage := func(name string) *page {
		ctx, cancel := chromedp.NewContext(browserCtx)
		t.Cleanup(cancel)
		// The first run opens the tab, which lives as long as the context
		// of that run: it must not be one with a deadline.
		if err := chromedp.Do(ctx); err != nil {
			t.Fatalf("open a tab: %v", err)
		}
		return &page{t: t, name: name, ctx: ctx}
	}
	shots := screenshotDir(t)
	t.Logf("screenshots in %s", shots)

	alice, bob, carol := newPage("Alice"), newPage("Bob"), newPage("Carol")
	alice.open(siteURL)
	alice.createRoom("Lobby")
	alice.waitLog("Alice joined", 1)

	bob.open(siteURL)
	bob.joinRoom("Lobby")
	alice.waitLog("Bob joined", 1)
	bob.waitLog("Alice joined", 1) // history

	carol.open(siteURL)
	carol.createRoom("Other")

	// Enter while an IME is composing confirms the conversion: no send.
	alice.do("type with an IME",
		chromedp.SendKeys(chromedp.CSS("#message"), "へんかん"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("message").dispatchEvent(
			new KeyboardEvent("keydown", {key: "Enter", code: "Enter", keyCode: 229, isComposing: true, bubbles: true, cancelable: true}))`),
	)
	value, _ := chromedp.Run(alice.ctx, chromedp.Value(chromedp.CSS("#message")))
	if value != "へんかん" {
		t.Errorf("Enter during IME composition changed the input to %q", value)
	}
	alice.do("clear the input", clearInput("message"))

	alice.say("hello from Alice")
	bob.waitLog("hello from Alice", 1)
	bob.say("こんにちは、Alice")
	alice.waitLog("こんにちは、Alice", 1)
	alice.waitLog("hello from Alice", 1)
	carol.say("quiet in here")
	carol.waitLog("quiet in here", 1)
	for _, text := range []string{"hello from Alice", "こんにちは、Alice", "Bob joined"} {
		if n := carol.count(text); n != 0 {
			t.Errorf("Carol, in another room, sees %q", text)
		}
	}
	if n := alice.count("quiet in here"); n != 0 {
		t.Errorf("Alice sees Carol's message from another room")
	}
	alice.screenshot(shots, "desktop-alice.png")

	// The server drops Bob's connection: the page reconnects by itself,
	// rejoins the room and misses nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if n, err := drop(ctx, "Bob"); err != nil || n != 1 {
		t.Fatalf("drop Bob's connection: %d, %v", n, err)
	}
	alice.waitLog("Bob left", 1)
	alice.say("sent while Bob was away")
	bob.waitLog("sent while Bob was away", 1)
	alice.waitLog("Bob joined", 2)
	bob.waitConnected()
	bob.say("back again")
	alice.waitLog("back again", 1)

	// Bob leaves the room and comes back: the fresh page gets the history.
	bob.do("leave the room", chromedp.Click(chromedp.CSS("#back-link")), chromedp.WaitVisible(chromedp.CSS("#rooms-view")))
	alice.waitLog("Bob left", 2)
	alice.say("you missed this one")
	alice.waitLog("you missed this one", 1)
	bob.joinRoom("Lobby")
	for _, text := range []string{"hello from Alice", "こんにちは、Alice", "sent while Bob was away", "you missed this one"} {
		bob.waitLog(text, 1)
	}
	if n := bob.count("quiet in here"); n != 0 {
		t.Errorf("Bob's history holds Carol's message from another room")
	}

	// A phone-sized view of the same room.
	bob.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	bob.screenshot(shots, "phone-bob.png")
	// Carol leaves: her room closes, and its link then says so.
	otherLink, err := chromedp.Run(carol.ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		t.Fatal(err)
	}
	carol.do("show the room list", chromedp.Click(chromedp.CSS("#back-link")), chromedp.WaitVisible(chromedp.CSS("#rooms-view")))
	carol.waitJS("wait until Other is gone from the list",
		`[...document.querySelectorAll("#rooms .room-name")].map(e => e.textContent).join() === "Lobby"`)
	carol.screenshot(shots, "desktop-rooms.png")
	carol.do("open the closed room's link", chromedp.Navigate(otherLink), chromedp.WaitVisible(chromedp.CSS("#room-closed")))
	carol.screenshot(shots, "desktop-room-closed.png")

	// README screenshot, on request: Alice on a desktop beside Bob on a
	// phone, in the same room.
	if os.Getenv("CHAT_README_SCREENSHOT") == "1" {
		bob.do("phone viewport at scale 1", chromedp.EmulateViewport(390, 800, chromedp.EmulateScale(1), chromedp.EmulateMobile))
		target := filepath.Join("..", "..", "docs", "images", "chat.png")
		writeSideBySide(t, target, alice.screenshot(shots, "readme-desktop.png"), bob.screenshot(shots, "readme-phone.png"))
		t.Logf("wrote %s", target)
	}
	if t.Failed() {
		for _, p := range []*page{alice, bob, carol} {
			t.Log(p.name, p.describe())
		}
	}
}

// writeSideBySide writes a PNG of the screenshots next to each other.
func writeSideBySide(t *testing.T, path string, shots ...[]byte) {
	t.Helper()
	const gap = 24
	var imgs []image.Image
	width, height := gap, 0
	for _, b := range shots {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
		width += img.Bounds().Dx() + gap
		height = max(height, img.Bounds().Dy())
	}
	canvas := image.NewRGBA(image.Rect(0, 0, width, height+2*gap))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.RGBA{0xdd, 0xdf, 0xec, 0xff}), image.Point{}, draw.Src)
	x := gap
	for _, img := range imgs {
		r := img.Bounds()
		draw.Draw(canvas, image.Rect(x, gap, x+r.Dx(), gap+r.Dy()), img, r.Min, draw.Src)
		x += r.Dx() + gap
	}
	var out bytes.Buffer
	if err := png.Encode(&out, canvas); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
