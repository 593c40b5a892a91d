package chat

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidationError says which input was wrong and how, in words meant for
// the person who typed it.
type ValidationError struct {
	// Field is the request field: "roomName", "name", "roomId", "message".
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// CleanRoomName trims a room name, folds runs of white space into one space
// and checks it is 1 to MaxRoomNameLength printable characters.
func CleanRoomName(s string) (string, error) {
	return cleanName("roomName", "Room name", s, MaxRoomNameLength)
}

// CleanUserName does for a sender name what CleanRoomName does for a room
// name, with MaxUserNameLength.
func CleanUserName(s string) (string, error) {
	return cleanName("name", "Your name", s, MaxUserNameLength)
}

func cleanName(field, label, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(field, "%s is not valid UTF-8 text.", label)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return "", invalid(field, "%s must not contain control characters.", label)
		}
	}
	name := strings.Join(strings.Fields(s), " ")
	if name == "" {
		return "", invalid(field, "%s is required.", label)
	}
	if n := utf8.RuneCountInString(name); n > max {
		return "", invalid(field, "%s is too long: %d characters, at most %d are allowed.", label, n, max)
	}
	return name, nil
}

// CleanMessage trims a chat message, turns CRLF into LF and checks it is 1
// to MaxMessageLength characters with no control characters other than new
// lines and tabs.
func CleanMessage(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid("message", "The message is not valid UTF-8 text.")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", invalid("message", "The message must not contain control characters.")
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("message", "The message is empty.")
	}
	if n := utf8.RuneCountInString(s); n > MaxMessageLength {
		return "", invalid("message", "The message is too long: %d characters, at most %d are allowed.", n, MaxMessageLength)
	}
	return s, nil
}

var roomIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// CheckRoomID accepts the ids createRoom hands out (lowercase UUIDs).
func CheckRoomID(s string) error {
	if s == "" {
		return invalid("roomId", "roomId is required: connect to the WebSocket URL with ?roomId=<id>&name=<your name>.")
	}
	if !roomIDPattern.MatchString(s) {
		return invalid("roomId", "roomId %q is not a room id; use an id returned by createRoom.", truncate(s, 40))
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
