package sieve

import "fmt"

// Error is a compile-time error with the position (1-based line and byte
// column) of the offending token in the script source.
type Error struct {
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d:%d: %s", e.Line, e.Column, e.Msg)
}

// Pos is a position in the script source.
type Pos struct {
	Line   int
	Column int
}

func (p Pos) errorf(format string, args ...any) *Error {
	return &Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

// RuntimeError is an error raised while running a script: a limit was hit,
// an action conflicts with an earlier one, or the environment failed.
type RuntimeError struct {
	Script string // name of the script (or included script) at fault
	Pos    Pos
	Msg    string
	Err    error // underlying environment error, if any
}

func (e *RuntimeError) Error() string {
	s := fmt.Sprintf("%s: line %d:%d: %s", e.Script, e.Pos.Line, e.Pos.Column, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *RuntimeError) Unwrap() error { return e.Err }
