package testutil

import (
	"bytes"
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
