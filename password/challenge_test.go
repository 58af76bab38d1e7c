package password

import (
	"strings"
	"testing"
)

func TestCRAMMD5RFC2195(t *testing.T) {
	t.Parallel()
	// RFC 2195 §2 example.
	got := CRAMMD5("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>")
	if want := "b913a602c7eda7a495b4e6e7334d3890"; got != want {
		t.Errorf("CRAMMD5 = %s, want %s", got, want)
	}
}

func TestAPOPDigestRFC1939(t *testing.T) {
	t.Parallel()
	// RFC 1939 §7 example.
	got := APOPDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf")
	if want := "c4c9334bac560ecc979e58001b3e22fb"; got != want {
		t.Errorf("APOPDigest = %s, want %s", got, want)
	}
}

func TestVerifyCRAMMD5(t *testing.T) {
	t.Parallel()
	const chal = "LGBXOT.D8ILJ0I8P8H1@(none)" // DBMail's challenge shape (spec 6.2)
	good := CRAMMD5("secret", chal)
	tests := []struct {
		name                   string
		enc, stored, challenge string
		response               string
		want                   bool
	}{
		{"ok", "", "secret", chal, good, true},
		{"upper-case hex", "", "secret", chal, strings.ToUpper(good), true},
		{"empty response (DBMail bypass)", "", "secret", chal, "", false},
		{"truncated response", "", "secret", chal, good[:16], false},
		{"one char", "", "secret", chal, good[:1], false},
		{"too long", "", "secret", chal, good + "0", false},
		{"not hex", "", "secret", chal, strings.Repeat("g", 32), false},
		{"wrong password", "", "secreT", chal, good, false},
		{"other challenge", "", "secret", chal + "x", good, false},
		{"hashed password", "md5sum", md5Secret, chal, CRAMMD5(md5Secret, chal), false},
		{"empty stored", "", "", chal, CRAMMD5("", chal), false},
	}
	for _, tt := range tests {
		if got := VerifyCRAMMD5(tt.enc, tt.stored, tt.challenge, tt.response); got != tt.want {
			t.Errorf("%s: VerifyCRAMMD5 = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVerifyAPOP(t *testing.T) {
	t.Parallel()
	const ts = "<1896.697170952@dbc.mtview.ca.us>"
	tests := []struct {
		name, enc, stored, digest string
		want                      bool
	}{
		{"ok", "", "tanstaaf", "c4c9334bac560ecc979e58001b3e22fb", true},
		{"upper", "", "tanstaaf", "C4C9334BAC560ECC979E58001B3E22FB", true},
		{"empty", "", "tanstaaf", "", false},
		{"short", "", "tanstaaf", "c4c9334bac560ecc", false},
		{"wrong", "", "tanstaaf", "c4c9334bac560ecc979e58001b3e22fa", false},
		{"not plain", "crypt", "tanstaaf", "c4c9334bac560ecc979e58001b3e22fb", false},
	}
	for _, tt := range tests {
		if got := VerifyAPOP(tt.enc, tt.stored, ts, tt.digest); got != tt.want {
			t.Errorf("%s: VerifyAPOP = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func FuzzVerifyCRAMMD5(f *testing.F) {
	f.Add("", "secret", "chal", CRAMMD5("secret", "chal"))
	f.Add("", "secret", "chal", "")
	f.Fuzz(func(t *testing.T, enc, stored, chal, resp string) {
		if VerifyCRAMMD5(enc, stored, chal, resp) && len(resp) != 32 {
			t.Errorf("accepted a %d-character response", len(resp))
		}
	})
}

func BenchmarkVerifyCRAMMD5(b *testing.B) {
	resp := CRAMMD5("secret", "chal")
	for b.Loop() {
		VerifyCRAMMD5("", "secret", "chal", resp)
	}
}
