package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary files to Parse: it must never panic, every
// failure must be an *Error (or a join of them) naming the file, and every
// value a successful parse exposes must obey the value rules of spec 5.1.
func FuzzParse(f *testing.F) {
	f.Add([]byte(Sample()))
	f.Add([]byte(head + "[IMAP]\ntimeout = 5\n"))
	f.Add([]byte("[DBMAIL]\nauthdriver=sql\ndriver=mysql\nhost=h\ndb=d\nuser=u\npass=p#q\n"))
	f.Add([]byte("key = v\n"))
	f.Add([]byte("[A]\r\nk[de] = v\r\n[A]\nK = w # c\n"))
	f.Add([]byte(head + "security_action = 2:\\Seen;3:a b\nbindip = *,::\n"))
	f.Add([]byte(head + "[IMAP]\nmax_message_size = 0x10\nidle_timeout = 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.conf", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "f.conf" {
				t.Fatalf("error %v is not a *Error for f.conf", err)
			}
			return
		}
		for _, name := range c.kf.order {
			for _, e := range c.kf.sections[name].entries {
				if len(e.value) > maxValueLen || strings.Contains(e.value, "#") || trimASCIISpace(e.value) != e.value && len(e.value) < maxValueLen {
					t.Fatalf("[%s] %s: value %q breaks the value rules", name, e.key, e.value)
				}
				if e.line < 1 {
					t.Fatalf("[%s] %s: line %d", name, e.key, e.line)
				}
			}
		}
		if c.IMAP.Timeout.Seconds() <= 30 || c.IMAP.LoginTimeout.Seconds() <= 10 || c.IMAP.Backlog <= 0 {
			t.Fatalf("validated values out of range: %+v", c.IMAP.Service)
		}
		if c.DBMail.MaxDBConnections <= 0 || c.IMAP.IdleInterval < 1 || c.IMAP.IdleInterval > 999 {
			t.Fatalf("validated values out of range: %+v", c.IMAP)
		}
	})
}

func BenchmarkParseSample(b *testing.B) {
	data := []byte(Sample())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("dbmail.conf", data); err != nil {
			b.Fatal(err)
		}
	}
}
