package imap4

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"
)

var fuzzLimits = Limits{MaxLine: 256, MaxCommand: 1024, MaxStringLiteral: 128, MaxLiteral: 512, MaxDepth: 8, MaxPipeline: 4, MaxLiterals: 16}

// FuzzParser feeds random input in random splits: the parser must never
// panic, must report the same events as for one-shot feeding, and must stay
// within its memory bounds.
func FuzzParser(f *testing.F) {
	for i, tc := range commandCases {
		f.Add([]byte(tc.input), uint64(i))
	}
	f.Add([]byte("a LOGIN {3}\r\nabc {300+}\r\nx\r\nb NOOP\r\n"), uint64(7))
	f.Add([]byte("a SEARCH ((((((((((ALL))))))))))\r\n"), uint64(1))
	f.Add([]byte("a APPEND INBOX {600+}\r\nxx\r\n"), uint64(3))
	f.Add([]byte("a FOO ~{2+}\r\n\x00\x00\r\n\n\n"), uint64(9))
	limit := 4*fuzzLimits.MaxCommand + fuzzLimits.MaxLine + 64*24
	f.Fuzz(func(t *testing.T, input []byte, seed uint64) {
		one := newDriver(fuzzLimits)
		one.feed(t, input, 0)
		rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		split := newDriver(fuzzLimits)
		for off := 0; off < len(input); {
			n := 1 + rnd.IntN(8)
			if rnd.IntN(4) == 0 {
				n = 1 + rnd.IntN(300)
			}
			end := min(off+n, len(input))
			split.feedChunk(t, input[off:end])
			off = end
		}
		if !reflect.DeepEqual(one.steps, split.steps) {
			t.Fatalf("split feeding differs:\n got %s\nwant %s", dumpSteps(split.steps), dumpSteps(one.steps))
		}
		if one.maxRetained > limit || split.maxRetained > limit {
			t.Fatalf("retained %d/%d bytes, limit %d", one.maxRetained, split.maxRetained, limit)
		}
	})
}

// FuzzSeqSet: a parsed set formats back to (a normalised form of) its
// input, and parses again to the same set.
func FuzzSeqSet(f *testing.F) {
	for _, s := range []string{"1", "1:*", "*", "$", "2,4:7,9,12:*", "0", "1::2", "4294967295:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseSeqSet(s)
		if err != nil {
			return
		}
		// "n:n" formats as "n"; otherwise String is the input itself.
		if got := set.String(); got != s && len(got) >= len(s) {
			t.Fatalf("String() = %q, input %q", got, s)
		}
		again, err := ParseSeqSet(set.String())
		if err != nil || !reflect.DeepEqual(again, set) {
			t.Fatalf("reparse %q: %+v %v", s, again, err)
		}
		if !set.Saved {
			for _, r := range set.Resolve(100) {
				if r.Start == 0 || r.Start > r.Stop {
					t.Fatalf("Resolve gave %+v", r)
				}
			}
		}
	})
}

// FuzzMUTF7: decode/encode round trip in both directions.
func FuzzMUTF7(f *testing.F) {
	for _, s := range []string{"INBOX", "&-", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "Entw&APw-rfe", "&2D3eAA-", "台北", "a&b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if dec, err := DecodeMUTF7(s); err == nil {
			if enc := EncodeMUTF7(dec); enc != s {
				t.Fatalf("Encode(Decode(%q)) = %q", s, enc)
			}
		}
		if utf8.ValidString(s) {
			enc := EncodeMUTF7(s)
			dec, err := DecodeMUTF7(enc)
			if err != nil || dec != s {
				t.Fatalf("Decode(Encode(%q)) = %q, %v (encoded %q)", s, dec, err, enc)
			}
		}
	})
}
