package testutil

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// BigMessage is a CRLF multipart/mixed message of about size bytes: a
// short text part and a base64-style attachment of numbered 76-character
// lines, then the closing delimiter and epilogue (which may be empty). The
// big-message tests of the store, POP3 and IMAP daemons share it.
func BigMessage(size int, epilogue string) []byte {
	var b bytes.Buffer
	b.Grow(size + 512)
	b.WriteString("From: big@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for line := 0; b.Len() < size; line++ {
		fmt.Fprintf(&b, "%076d\r\n", line)
	}
	b.WriteString("--b1--\r\n")
	b.WriteString(epilogue)
	return b.Bytes()
}

// BigMultipart is a CRLF multipart/mixed message with several big parts:
// 1 a text/plain part of about textSize bytes of numbered lines, 2 a
// base64 application/octet-stream attachment of attachSize pseudo-random
// bytes (76-character lines), 3 a small message/rfc822 part. The bytes are
// the same for the same sizes. The IMAP FETCH tests of big messages use
// it for BODY[n], BINARY[n] and BODYSTRUCTURE.
func BigMultipart(textSize, attachSize int) []byte {
	var b bytes.Buffer
	b.Grow(textSize + attachSize*4/3 + attachSize/38 + 1024)
	b.WriteString("From: Big Sender <big@example.org>\r\nTo: alice@example.org\r\nSubject: several big parts\r\n")
	b.WriteString("Date: Mon, 23 Nov 2026 05:00:00 +0000\r\nMessage-ID: <big-multipart@example.org>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"=_big_=\"\r\n\r\nThis is a multi-part message in MIME format.\r\n")
	b.WriteString("--=_big_=\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	for line, start := 0, b.Len(); b.Len()-start < textSize; line++ {
		fmt.Fprintf(&b, "line %08d of the big text part, padded to a usual mail line length.\r\n", line)
	}
	b.WriteString("--=_big_=\r\nContent-Type: application/octet-stream; name=\"big.bin\"\r\n")
	b.WriteString("Content-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	raw := make([]byte, attachSize)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range raw {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		raw[i] = byte(x)
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n--=_big_=\r\nContent-Type: message/rfc822\r\n\r\n")
	b.WriteString("From: inner@example.org\r\nSubject: the inner message\r\n\r\ninner body\r\n")
	b.WriteString("--=_big_=--\r\n")
	return b.Bytes()
}
