package imap4

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbmail-go/dbmail/message"
)

// toWire turns arbitrary bytes into a CRLF wire form.
func toWire(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	b = bytes.ReplaceAll(b, []byte("\r"), []byte(""))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

var fetchLiteralRE = regexp.MustCompile(`^\* 1 FETCH \((BODY|BINARY)\[[^\]]*\](<\d+>)? ~?\{(\d+)\}\r\n`)

// FuzzWriteFetchSections fetches random sections of random messages and
// checks that the response is well formed (the literal holds exactly the
// announced bytes), that streaming gives the same bytes as the in-memory
// path, and that a BODY section without partial equals Node.Extract.
func FuzzWriteFetchSections(f *testing.F) {
	seeds := []string{
		"From: a@b\nSubject: s\n\nbody\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhello\n--x\nContent-Type: message/rfc822\n\nSubject: in\n\ninner\n--x--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--x\nContent-Transfer-Encoding: quoted-printable\n\na=3Db=\nc\n--x--\n",
		"no header at all",
		"",
	}
	sections := []string{"", "TEXT", "HEADER", "1", "1.MIME", "2", "2.HEADER", "2.1", "HEADER.FIELDS (Subject From)", "2.HEADER.FIELDS.NOT (Subject)", "1.2.3"}
	for i, s := range seeds {
		for j, sec := range sections {
			f.Add([]byte(s), sec, uint16(i*3), uint16(j+1), j%2 == 0)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte, section string, off, count uint16, binary bool) {
		if strings.ContainsAny(section, "\r\n{}") || len(raw) > 1<<16 {
			return
		}
		kind := "BODY.PEEK"
		if binary {
			kind = "BINARY.PEEK"
		}
		partial := ""
		if count > 0 {
			partial = fmt.Sprintf("<%d.%d>", off, count)
		}
		cmd, err := parseCommand([]byte("t FETCH 1 ("+kind+"["+section+"]"+partial+")"), nil, false, 64)
		if err != nil {
			return // not a valid section: the parser's business
		}
		items := cmd.Args.(*FetchArgs).Items
		wire := toWire(raw)
		src := newFakeSource()
		msgs := src.add(nil, wire, time.Unix(0, 0))
		inMem, _, err1 := renderFetch(t, src, msgs[0], items, FetchOptions{})
		streamed, _, err2 := renderFetch(t, src, msgs[0], items, FetchOptions{MaxInMemory: 8})
		var cte *UnknownCTEError
		if errors.As(err1, &cte) {
			if inMem != "" || !errors.As(err2, &cte) || streamed != "" {
				t.Fatalf("UNKNOWN-CTE handled differently: %q %v / %q %v", inMem, err1, streamed, err2)
			}
			return
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("fetch %q: %v / %v", section, err1, err2)
		}
		if inMem != streamed {
			t.Fatalf("streamed response differs:\n%q\n%q", inMem, streamed)
		}
		if strings.HasSuffix(inMem, " NIL)\r\n") && !strings.Contains(inMem, "{") {
			return
		}
		mt := fetchLiteralRE.FindStringSubmatch(inMem)
		if mt == nil {
			t.Fatalf("malformed response %q", inMem)
		}
		n, _ := strconv.Atoi(mt[3])
		body := inMem[len(mt[0]):]
		if len(body) != n+len(")\r\n") || !strings.HasSuffix(body, ")\r\n") {
			t.Fatalf("literal of %d bytes, response tail %q", n, body)
		}
		it := items[0]
		if it.Kind == FetchBodySection && it.Partial == nil {
			want, ok := message.ParseStructure(wire).Extract(wire, toMessageSection(it.Section))
			if !ok && len(it.Section.Part) == 0 && it.Section.Specifier == "" {
				want, ok = wire, true
			}
			if !ok || string(want) != body[:n] {
				t.Fatalf("BODY[%s] = %q, Extract gives %q (%v)", section, body[:n], want, ok)
			}
		}
	})
}
