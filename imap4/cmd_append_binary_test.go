package imap4

import "testing"

func TestEncodeBinaryParts(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"single part",
			"Subject: b\r\nContent-Transfer-Encoding: binary\r\n\r\n\x00-\xe4\n\r\n",
			"Subject: b\r\nContent-Transfer-Encoding: base64\r\n\r\nAC3kCg0K\r\n"},
		{"not binary", "Subject: t\r\n\r\nplain\r\n", "Subject: t\r\n\r\nplain\r\n"},
		{"multipart",
			"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Transfer-Encoding: BINARY\r\n  (folded)\r\n\r\n\x01\x02\r\n--x\r\n\r\ntext\r\n--x--\r\n",
			"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\nAQI=\r\n--x\r\n\r\ntext\r\n--x--\r\n"},
	}
	for _, tt := range tests {
		if got := string(encodeBinaryParts([]byte(tt.in))); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
