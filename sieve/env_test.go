package sieve

import (
	"context"
	"fmt"
	"mime"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeEnv is a message and mailstore for tests.
type fakeEnv struct {
	headers   [][2]string // name, raw value, in message order
	from, to  string
	size      int64
	bodies    map[BodyTransform][]string
	content   map[string][]string // BodyContent texts per content-type spec
	mailboxes map[string]bool
	seen      map[string]bool // duplicate tracking: handle + "\x00" + id
	scripts   map[string]string
	now       time.Time
}

// newEnv builds an env from a header block "Name: value\n..." (folded
// lines start with white space).
func newEnv(hdr string) *fakeEnv {
	e := &fakeEnv{from: "sender@example.org", to: "me@example.com", size: 1000,
		bodies: map[BodyTransform][]string{}, content: map[string][]string{}, mailboxes: map[string]bool{"INBOX": true},
		seen: map[string]bool{}, scripts: map[string]string{},
		now: time.Date(2026, 11, 23, 10, 30, 0, 0, time.FixedZone("+0100", 3600))}
	for _, line := range strings.Split(strings.TrimSpace(hdr), "\n") {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			e.headers[len(e.headers)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		e.headers = append(e.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	return e
}

func (e *fakeEnv) RawHeaderValues(name string) []string {
	var out []string
	for _, h := range e.headers {
		if strings.EqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

func (e *fakeEnv) HeaderValues(name string) []string {
	var dec mime.WordDecoder
	var out []string
	for _, v := range e.RawHeaderValues(name) {
		if d, err := dec.DecodeHeader(v); err == nil {
			v = d
		}
		out = append(out, v)
	}
	return out
}

func (e *fakeEnv) EnvelopeFrom() string { return e.from }
func (e *fakeEnv) EnvelopeTo() string   { return e.to }
func (e *fakeEnv) Size() int64          { return e.size }
func (e *fakeEnv) Now() time.Time       { return e.now }

func (e *fakeEnv) Body(tr BodyTransform, types []string) ([]string, error) {
	if tr == BodyContent {
		var out []string
		for _, t := range types {
			out = append(out, e.content[t]...)
		}
		return out, nil
	}
	return e.bodies[tr], nil
}

func (e *fakeEnv) MailboxExists(name string) bool { return e.mailboxes[name] }

func (e *fakeEnv) Duplicate(id, handle string, seconds int, last bool) (bool, error) {
	return e.seen[handle+"\x00"+id], nil
}

// record stores the ids of a successful delivery, as the caller does.
func (e *fakeEnv) record(r *Result) {
	for _, d := range r.Duplicates {
		e.seen[d.Handle+"\x00"+d.ID] = true
	}
}

func (e *fakeEnv) Include(name string, global bool) ([]byte, error) {
	key := name
	if global {
		key = "global/" + name
	}
	s, ok := e.scripts[key]
	if !ok {
		return nil, fmt.Errorf("include %s: %w", key, ErrScriptNotFound)
	}
	return []byte(s), nil
}

// runScript parses and runs src, failing the test on a parse error.
func runScript(t *testing.T, src string, env Env) *Result {
	t.Helper()
	s, err := Parse("test", []byte(src), Options{})
	if err != nil {
		t.Fatalf("parse: %v\nscript:\n%s", err, src)
	}
	r, err := s.Run(context.Background(), env)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return r
}

// want is the expected outcome of one run.
type outcome struct {
	keep    bool
	actions []Action
}

func checkResult(t *testing.T, r *Result, w outcome) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("runtime errors: %v", r.Errors)
	}
	if r.ImplicitKeep != w.keep {
		t.Errorf("implicit keep = %v, want %v", r.ImplicitKeep, w.keep)
	}
	if !reflect.DeepEqual(r.Actions, w.actions) {
		t.Errorf("actions = %#v\nwant      %#v", r.Actions, w.actions)
	}
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
