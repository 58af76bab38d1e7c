package delivery

import (
	"bytes"
	"strings"
)

// lineEnding returns the line ending the message's first line uses.
func lineEnding(raw []byte) string {
	if i := bytes.IndexByte(raw, '\n'); i > 0 && raw[i-1] == '\r' {
		return "\r\n"
	} else if i >= 0 {
		return "\n"
	}
	return "\r\n"
}

// headerStart skips a leading mbox "From " line, which stays first.
func headerStart(raw []byte) int {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return i + 1
		}
		return len(raw)
	}
	return 0
}

// PrependHeader adds "name: value" as the first header field, in the line
// ending the message uses (LMTP's Return-Path, spec 2.2).
func PrependHeader(raw []byte, name, value string) []byte {
	at := headerStart(raw)
	field := name + ": " + value + lineEnding(raw[at:])
	out := make([]byte, 0, len(raw)+len(field))
	out = append(out, raw[:at]...)
	out = append(out, field...)
	return append(out, raw[at:]...)
}

// RemoveHeader drops every top-level field called name (case-insensitive),
// with its continuation lines.
func RemoveHeader(raw []byte, name string) []byte {
	at := headerStart(raw)
	out := make([]byte, 0, len(raw))
	out = append(out, raw[:at]...)
	i := at
	dropping := false
	for i < len(raw) {
		j := bytes.IndexByte(raw[i:], '\n')
		end := len(raw)
		if j >= 0 {
			end = i + j + 1
		}
		line := raw[i:end]
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 {
			return append(out, raw[i:]...) // end of the header
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !dropping {
				out = append(out, line...)
			}
		} else {
			n, _, _ := strings.Cut(string(trimmed), ":")
			dropping = strings.EqualFold(strings.TrimSpace(n), name)
			if !dropping {
				out = append(out, line...)
			}
		}
		i = end
	}
	return out
}
