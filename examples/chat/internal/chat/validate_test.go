package chat

import (
	"strings"
	"testing"
)

func TestCleanRoomName(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "Lobby", want: "Lobby"},
		{in: "  general   chat \t", want: "general chat"},
		{in: "雑談ルーム", want: "雑談ルーム"},
		{in: strings.Repeat("あ", MaxRoomNameLength), want: strings.Repeat("あ", MaxRoomNameLength)},
		{in: "", err: "Room name is required."},
		{in: " \t\n ", err: "Room name is required."},
		{in: strings.Repeat("x", MaxRoomNameLength+1), err: "Room name is too long: 61 characters, at most 60 are allowed."},
		{in: "bad\x00name", err: "Room name must not contain control characters."},
		{in: "bad\x1bname", err: "Room name must not contain control characters."},
		{in: "\xff\xfe", err: "Room name is not valid UTF-8 text."},
	}
	for _, tt := range tests {
		got, err := CleanRoomName(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("CleanRoomName(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			if v, ok := err.(*ValidationError); !ok || v.Field != "roomName" {
				t.Errorf("CleanRoomName(%q) error %T does not name field roomName", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CleanRoomName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCleanUserName(t *testing.T) {
	if got, err := CleanUserName(" Alice  B "); err != nil || got != "Alice B" {
		t.Errorf("got %q, %v", got, err)
	}
	_, err := CleanUserName(strings.Repeat("n", MaxUserNameLength+1))
	if err == nil || !strings.Contains(err.Error(), "Your name is too long") {
		t.Errorf("long name: %v", err)
	}
	if _, err := CleanUserName(""); err == nil || err.Error() != "Your name is required." {
		t.Errorf("empty name: %v", err)
	}
}

func TestCleanMessage(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "hello", want: "hello"},
		{in: "  two\r\nlines\t ok  ", want: "two\nlines\t ok"},
		{in: "こんにちは😀", want: "こんにちは😀"},
		{in: strings.Repeat("😀", MaxMessageLength), want: strings.Repeat("😀", MaxMessageLength)},
		{in: "", err: "The message is empty."},
		{in: "\n\n  ", err: "The message is empty."},
		{in: strings.Repeat("a", MaxMessageLength+1), err: "The message is too long: 1001 characters, at most 1000 are allowed."},
		{in: "beep\a", err: "The message must not contain control characters."},
		{in: "a\rb", err: "The message must not contain control characters."},
		{in: "\xc3\x28", err: "The message is not valid UTF-8 text."},
	}
	for _, tt := range tests {
		got, err := CleanMessage(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("CleanMessage(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CleanMessage(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckRoomID(t *testing.T) {
	good := newUUID()
	if err := CheckRoomID(good); err != nil {
		t.Errorf("CheckRoomID(%q) = %v", good, err)
	}
	for _, bad := range []string{"", "lobby", strings.ToUpper(good), good + "x", "../" + good} {
		if err := CheckRoomID(bad); err == nil {
			t.Errorf("CheckRoomID(%q) accepted", bad)
		}
	}
	if err := CheckRoomID(""); !strings.Contains(err.Error(), "?roomId=") {
		t.Errorf("missing roomId error does not say how to connect: %v", err)
	}
}

func TestNewUUIDIsVersion4(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newUUID()
		if !roomIDPattern.MatchString(id) || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("newUUID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("newUUID() repeated %q", id)
		}
		seen[id] = true
	}
}
