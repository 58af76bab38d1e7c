package message

import (
	"strings"
	"testing"
)

func FuzzStructure(f *testing.F) {
	f.Add([]byte(strings.ReplaceAll(nestedExample, "\n", "\r\n")), "3.1")
	f.Add([]byte("Content-Type: multipart/digest; boundary=d\r\n\r\n--d \r\n\r\nFrom: a\r\n\r\nb\r\n--d--\r\n"), "1.1.MIME")
	f.Add([]byte("Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\ny"), "1.HEADER.FIELDS (subject)")
	f.Fuzz(func(t *testing.T, wire []byte, section string) {
		root := ParseStructure(wire)
		_ = root.BodyStructure(true)
		_ = root.BodyStructure(false)
		sec, err := ParseSection(section)
		if err != nil {
			return
		}
		start, end, _, ok := root.Locate(sec)
		if ok && (start < 0 || end < start || end > int64(len(wire))) {
			t.Fatalf("Locate(%q) = %d..%d outside 0..%d", section, start, end, len(wire))
		}
		_, _ = root.Extract(wire, sec)
	})
}
