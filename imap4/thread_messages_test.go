package imap4

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// dateOn is noon of a day of January 2020.
func dateOn(day int) time.Time { return time.Date(2020, 1, day, 12, 0, 0, 0, time.UTC) }

// view renumbers the chosen messages (1-based positions in the mbox) as a
// mailbox after expunges and appends would.
func view(all []MsgMeta, pick ...int) []MsgMeta {
	out := make([]MsgMeta, len(pick))
	for i, p := range pick {
		out[i] = all[p-1]
		out[i].Seq = uint32(i + 1)
	}
	return out
}

// Transcribed from imaptest tests/thread*, including the expunge and
// append steps of thread, thread5 and thread8.
func TestThreadImaptest(t *testing.T) {
	cases := []struct {
		mbox, alg string
		pick      []int // nil: every message
		want      string
	}{
		{"thread", "REFERENCES", nil, "(3 2)(1)"},
		{"thread", "REFERENCES", []int{2, 3}, "(2 1)"},
		{"thread2", "REFERENCES", nil, "(1)(2)"},
		{"thread3", "REFERENCES", nil, "(1 2)"},
		{"thread4", "REFERENCES", nil, "(1 2)"},
		{"thread5", "REFERENCES", []int{1, 2, 3, 4}, "(1 (2 4)(3))"},
		{"thread5", "REFERENCES", []int{3, 4}, "(1)(2)"},
		{"thread5", "REFERENCES", []int{3, 4, 5}, "(1)((2)(3))"},
		{"thread8", "REFERENCES", []int{1, 2}, "(1 2)"},
		{"thread8", "REFERENCES", []int{1}, "(1)"},
		{"thread8", "REFERENCES", []int{1, 3}, "(1 2)"},
		{"thread-orderedsubject", "ORDEREDSUBJECT", nil, "(1)(2 (7)(12)(13))(3 (5)(11))(4)(6)(8)(9 10)(14)(15)"},
		{"thread-orderedsubject2", "orderedsubject", nil, "(4 (2)(8)(6))(3 (1)(7)(5))"},
		{"thread", "ORDEREDSUBJECT", []int{}, ""},
	}
	for _, c := range cases {
		src, all := loadMbox(t, c.mbox)
		msgs := all
		if c.pick != nil {
			msgs = view(all, c.pick...)
		}
		got, err := ThreadMessages(context.Background(), c.alg, msgs, src)
		if err != nil {
			t.Fatalf("%s %s %v: %v", c.mbox, c.alg, c.pick, err)
		}
		if got != c.want {
			t.Errorf("%s %s %v: got %q, want %q", c.mbox, c.alg, c.pick, got, c.want)
		}
	}
}

// REFERENCES details of RFC 5256 §4: dummies for missing parents, subject
// merging of root threads, and sibling order by date.
func TestThreadReferencesTree(t *testing.T) {
	src := newFakeSource()
	var msgs []MsgMeta
	add := func(hdr string, day int) {
		msgs = src.add(msgs, []byte(crlf(hdr+"\n\nbody\n")), dateOn(day))
	}
	add("Message-ID: <1@x>\nSubject: alpha", 1)
	add("Message-ID: <2@x>\nReferences: <1@x>\nSubject: Re: alpha", 3)
	add("Message-ID: <3@x>\nReferences: <1@x>\nSubject: Re: alpha", 2)
	add("Message-ID: <4@x>\nReferences: <missing@x> <3@x>\nSubject: Re: alpha", 4)
	add("Message-ID: <5@x>\nIn-Reply-To: <gone@x>\nSubject: beta", 5)
	add("Message-ID: <6@x>\nIn-Reply-To: <gone@x>\nSubject: beta", 6)
	add("Message-ID: <7@x>\nSubject: Re: gamma", 7)
	add("Message-ID: <8@x>\nSubject: Fwd: gamma", 8)
	add("Message-ID: <9@x>\nSubject: gamma", 9)
	got, err := ThreadMessages(context.Background(), "REFERENCES", msgs, src)
	if err != nil {
		t.Fatal(err)
	}
	// 3 (day 2) sorts before 2 (day 3); 4 stays under 3 although its first
	// reference is missing; 5 and 6 share a dummy parent; 7 and 8 are
	// replies merged under the non-reply 9
	want := "(1 (3 4)(2))((5)(6))(9 (7)(8))"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestThreadErrors(t *testing.T) {
	msgs := []MsgMeta{{Seq: 1, UID: 1}}
	if _, err := ThreadMessages(context.Background(), "XYZ", msgs, failingSource{}); !errors.Is(err, ErrUnknownThreadAlgorithm) {
		t.Errorf("err = %v, want ErrUnknownThreadAlgorithm", err)
	}
	if _, err := ThreadMessages(context.Background(), "REFERENCES", msgs, failingSource{}); !errors.Is(err, errTestSource) {
		t.Errorf("err = %v, want the source error", err)
	}
}

func TestIsReplySubject(t *testing.T) {
	for s, want := range map[string]bool{
		"Re: foo": true, "RE:foo": true, "fwd: x": true, "Fw: x": true, "[list] Re: x": true,
		"re [blob]: x": true, "x (fwd)": true, "[Fwd: x]": true, "foo": false, "[list] foo": false,
		"Reply: foo": false, "[only]": false, "": false,
	} {
		if got := isReplySubject(s); got != want {
			t.Errorf("isReplySubject(%q) = %v, want %v", s, got, want)
		}
	}
}

// threadListSeqs checks a thread list's syntax (RFC 5256 §5: balanced
// parentheses, no empty group) and returns the numbers in it.
func threadListSeqs(t *testing.T, s string) []uint32 {
	t.Helper()
	depth := 0
	var seqs []uint32
	num := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if num < 0 {
				num = 0
			}
			num = num*10 + int(c-'0')
			continue
		case num >= 0:
			seqs = append(seqs, uint32(num))
			num = -1
		}
		switch c {
		case '(':
			if i+1 < len(s) && s[i+1] == ')' {
				t.Fatalf("empty group in %q", s)
			}
			depth++
		case ')':
			depth--
			if depth < 0 {
				t.Fatalf("unbalanced %q", s)
			}
		case ' ':
		default:
			t.Fatalf("bad byte %q in %q", c, s)
		}
	}
	if depth != 0 || num >= 0 {
		t.Fatalf("unbalanced or unterminated %q", s)
	}
	return seqs
}

// FuzzThreadReferences builds mailboxes with arbitrary Message-IDs,
// References (loops, self-references, duplicates) and subjects: every
// message appears exactly once in a well-formed thread list.
func FuzzThreadReferences(f *testing.F) {
	f.Add([]byte{1, 2, 2, 1, 3, 3, 1, 1})
	f.Add([]byte{1, 0, 1, 0, 2, 1, 2, 1, 5, 9, 9, 5})
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 300 {
			return
		}
		var infos []threadMsg
		for i := 0; i+1 < len(data); i += 2 {
			id, ref := data[i], data[i+1]
			m := threadMsg{seq: uint32(len(infos) + 1), sent: dateOn(1 + int(id%5))}
			if id%7 != 0 {
				m.id = fmt.Sprintf("%d@x", id%16)
			}
			for k := 0; k < int(ref%4); k++ {
				m.refs = append(m.refs, fmt.Sprintf("%d@x", (int(ref)+k*3)%16))
			}
			m.subject = []string{"", "a", "b"}[int(ref)%3]
			m.reply = ref%2 == 0
			infos = append(infos, m)
		}
		for _, alg := range []string{"REFERENCES", "ORDEREDSUBJECT"} {
			var roots []*threadNode
			if alg == "REFERENCES" {
				roots = threadReferences(slices.Clone(infos))
			} else {
				roots = threadOrderedSubject(slices.Clone(infos))
			}
			var b strings.Builder
			for _, r := range roots {
				b.WriteByte('(')
				r.write(&b)
				b.WriteByte(')')
			}
			seqs := threadListSeqs(t, b.String())
			slices.Sort(seqs)
			if len(seqs) != len(infos) {
				t.Fatalf("%s: %d messages in %q, want %d", alg, len(seqs), b.String(), len(infos))
			}
			for i, s := range seqs {
				if s != uint32(i+1) {
					t.Fatalf("%s: numbers %v in %q", alg, seqs, b.String())
				}
			}
		}
	})
}
