package config

import "fmt"

// Error is one problem in a configuration file: a line that is not valid
// key-file syntax, a value that cannot be used, or a required key that is
// missing. Error() reads like a compiler message:
//
//	/etc/dbmail.conf:12: [IMAP] timeout: must be greater than 30, got "5"
//
// When a service reads a key through the [DBMAIL] fallback, Section is
// "DBMAIL" and Service names the (first) service that read it; the message
// names only the section, since the value is wrong for every reader.
type Error struct {
	File    string
	Line    int    // 1-based; 0 when the key is missing altogether
	Section string // section the key was found in (or expected in)
	Service string // service that read it, when different from Section
	Key     string // key as written in the file
	Msg     string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": [" + e.Section + "] " + e.Key + ": " + e.Msg
}
