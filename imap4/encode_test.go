package imap4

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
	"time"
)

func encodeWith(f func(e *Encoder)) (string, error) {
	var buf bytes.Buffer
	e := NewEncoder(bufio.NewWriter(&buf))
	f(e)
	err := e.Flush()
	return buf.String(), err
}

func TestEncoder(t *testing.T) {
	t.Parallel()
	utc := time.Date(2026, 11, 2, 21, 42, 20, 0, time.UTC)
	cases := []struct {
		name string
		f    func(e *Encoder)
		want string
	}{
		{"search", func(e *Encoder) { e.Star().Atom("SEARCH").SP().Number(2).SP().Number64(1 << 40).CRLF() }, "* SEARCH 2 1099511627776\r\n"},
		{"quoted escapes", func(e *Encoder) { e.String(`a "b" \c`) }, `"a \"b\" \\c"`},
		{"empty string", func(e *Encoder) { e.String("") }, `""`},
		{"8-bit becomes literal", func(e *Encoder) { e.String("caf\xc3\xa9") }, "{5}\r\ncaf\xc3\xa9"},
		{"CRLF becomes literal", func(e *Encoder) { e.String("a\r\nb") }, "{4}\r\na\r\nb"},
		{"NUL is dropped", func(e *Encoder) { e.String("a\x00b\n") }, "{3}\r\nab\n"},
		{"nstring", func(e *Encoder) { e.NString("", false).SP().NString("x", true) }, `NIL "x"`},
		{"astring", func(e *Encoder) {
			e.AString("INBOX").SP().AString("a b").SP().AString("nil").SP().AString("").SP().AString("x]")
		}, `INBOX "a b" "nil" "" x]`},
		{"atom falls back to string", func(e *Encoder) { e.Atom("a(b") }, `"a(b"`},
		{"flag list", func(e *Encoder) { e.FlagList([]string{`\Seen`, "$Junk", `\*`}) }, `(\Seen $Junk \*)`},
		{"empty flag list", func(e *Encoder) { e.FlagList(nil) }, `()`},
		{"mailbox", func(e *Encoder) { e.Mailbox("INBOX/Sent") }, `"INBOX/Sent"`},
		{"mailbox utf8", func(e *Encoder) { e.MailboxUTF8("~peter/mail/台北/日本語") }, `"~peter/mail/&U,BTFw-/&ZeVnLIqe-"`},
		{"seqset", func(e *Encoder) { e.SeqSet(set(rg(1, Star), one(4))) }, "1:*,4"},
		{"numset compresses", func(e *Encoder) { e.NumSet([]uint32{8, 1, 2, 3, 5, 7, 3, 0}) }, "1:3,5,7:8"},
		{"date-time", func(e *Encoder) { e.DateTime(utc) }, `" 2-Nov-2026 21:42:20 +0000"`},
		{"date-time zone", func(e *Encoder) { e.DateTime(time.Date(1996, 7, 17, 2, 44, 25, 0, zone(-7, 0))) }, `"17-Jul-1996 02:44:25 -0700"`},
		{"status line", func(e *Encoder) { e.StatusLine("a1", "OK", "READ-WRITE", "SELECT completed") }, "a1 OK [READ-WRITE] SELECT completed\r\n"},
		{"status line no code", func(e *Encoder) { e.StatusLine("*", "BYE", "", "Requested") }, "* BYE Requested\r\n"},
		{"literal", func(e *Encoder) {
			e.Star().Number(1).SP().Raw("FETCH (BODY[] ")
			lw := e.Literal(5)
			lw.Write([]byte("hel"))
			lw.Write([]byte("lo"))
			lw.Close()
			e.Close().CRLF()
		}, "* 1 FETCH (BODY[] {5}\r\nhello)\r\n"},
		{"literal8", func(e *Encoder) {
			lw := e.Literal8(2)
			lw.Write([]byte{0, 1})
			lw.Close()
		}, "~{2}\r\n\x00\x01"},
	}
	for _, tc := range cases {
		got, err := encodeWith(tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: got %q want %q", tc.name, got, tc.want)
		}
	}
}

func TestLiteralWriterEnforcesSize(t *testing.T) {
	t.Parallel()
	_, err := encodeWith(func(e *Encoder) {
		lw := e.Literal(3)
		if _, err := lw.Write([]byte("abcd")); !errors.Is(err, ErrLiteralOverflow) {
			t.Errorf("overflow write: %v", err)
		}
		e.CRLF() // ignored: the encoder is poisoned
	})
	if !errors.Is(err, ErrLiteralOverflow) {
		t.Fatalf("Flush after overflow: %v", err)
	}
	_, err = encodeWith(func(e *Encoder) {
		lw := e.Literal(3)
		lw.Write([]byte("ab"))
		if err := lw.Close(); !errors.Is(err, ErrLiteralShort) {
			t.Errorf("short close: %v", err)
		}
	})
	if !errors.Is(err, ErrLiteralShort) {
		t.Fatalf("Flush after short literal: %v", err)
	}
	_, err = encodeWith(func(e *Encoder) {
		e.Literal(3).Write([]byte("ab"))
		e.SP() // syntax inside an open literal
	})
	if err == nil {
		t.Fatal("writing syntax inside an unfinished literal succeeded")
	}
	_, err = encodeWith(func(e *Encoder) { e.Literal(1) })
	if err == nil {
		t.Fatal("Flush with an unfinished literal succeeded")
	}
}

// TestEncodedStringsParseBack: what the encoder writes as a string, the
// parser reads back as the same string.
func TestEncodedStringsParseBack(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `q"u\o`, "caf\xc3\xa9", "multi\r\nline", "NIL", "a b"} {
		out, err := encodeWith(func(e *Encoder) { e.Raw("t LOGIN ").AString(s).SP().String(s).CRLF() })
		if err != nil {
			t.Fatal(err)
		}
		steps := run(t, Limits{}, out, 1)
		var got *Command
		for _, st := range steps {
			if st.Event == EventCommand {
				got = st.Cmd
			}
		}
		if got == nil {
			t.Fatalf("%q: no command from %q: %s", s, out, dumpSteps(steps))
		}
		if a := got.Args.(*LoginArgs); a.Username != s || a.Password != s {
			t.Fatalf("%q: parsed back as %+v", s, a)
		}
	}
}
