package imap4

import "testing"

func TestMUTF7(t *testing.T) {
	t.Parallel()
	cases := []struct{ utf8, mutf7 string }{
		{"INBOX", "INBOX"},
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
		{"&", "&-"},
		{"Tom & Jerry", "Tom &- Jerry"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"Gesendete Objekte", "Gesendete Objekte"},
		{"😀", "&2D3eAA-"},
		{"a\tb", "a&AAk-b"},
		{"ÄÖ", "&AMQA1g-"},
	}
	for _, c := range cases {
		if got := EncodeMUTF7(c.utf8); got != c.mutf7 {
			t.Errorf("Encode(%q) = %q want %q", c.utf8, got, c.mutf7)
		}
		got, err := DecodeMUTF7(c.mutf7)
		if err != nil || got != c.utf8 {
			t.Errorf("Decode(%q) = %q, %v want %q", c.mutf7, got, err, c.utf8)
		}
	}
}

func TestMUTF7Invalid(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"&",            // unterminated
		"&Jjo",         // unterminated
		"&Jjo!-",       // bad base64 character
		"&AGE-",        // encodes printable "a"
		"&AMQ-&ANY-",   // adjacent runs must be merged
		"&AM-",         // too short for one UTF-16 unit
		"&AMR-",        // non-zero padding bits
		"&2D0-",        // lone high surrogate
		"&3gA-",        // lone low surrogate
		"caf\xc3\xa9",  // raw 8-bit
		"a\x01b",       // control character
		"&U,BTFw-&-&-", // fine: & after a run
	} {
		_, err := DecodeMUTF7(s)
		if s == "&U,BTFw-&-&-" {
			if err != nil {
				t.Errorf("%q rejected: %v", s, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
