package password

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestEncodeDeterministic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pwType, stored, enc string
	}{
		{"", "secret", ""},
		{"plaintext", "secret", ""},
		{"PlainText", "secret", ""},
		{"plaintext-raw", "secret", ""},
		{"md5sum", md5Secret, "md5sum"},
		{"md5-digest", md5Secret, "md5sum"},
		{"md5-base64", md5b64Secret + strings.Repeat("A", 129-len(md5b64Secret)), "md5base64"},
		{"md5base64", md5b64Secret + strings.Repeat("A", 129-len(md5b64Secret)), "md5base64"},
		{"sha1", sha1Secret, "sha1"},
		{"sha256", sha256Secret, "sha256"},
		{"SHA512", sha512Secret, "sha512"},
		{"whirlpool", whirlpoolSecret, "whirlpool"},
		{"tiger", tigerSecret, "tiger"},
		// -raw: the value is stored as given
		{"crypt-raw", "secret", "crypt"},
		{"md5-raw", "secret", "md5"},
		{"md5-hash-raw", "secret", "md5"},
		{"md5-digest-raw", "secret", "md5sum"},
		{"md5sum-raw", "secret", "md5sum"},
		{"md5-base64-raw", "secret", "md5base64"},
		{"sha1-raw", "secret", "sha1"},
		{"tiger-raw", "secret", "tiger"},
	}
	for _, tt := range tests {
		stored, enc, err := Encode(tt.pwType, "secret")
		if err != nil {
			t.Errorf("Encode(%q): %v", tt.pwType, err)
			continue
		}
		if stored != tt.stored || enc != tt.enc {
			t.Errorf("Encode(%q) = %q, %q; want %q, %q", tt.pwType, stored, enc, tt.stored, tt.enc)
		}
	}
}

// TestEncodeSalted checks the random-salt forms' shape and that each
// verifies with Verify, exactly.
func TestEncodeSalted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pwType, enc string
		shape       *regexp.Regexp
	}{
		{"crypt", "crypt", regexp.MustCompile(`^[./0-9A-Za-z]{13}$`)},
		{"md5", "md5", regexp.MustCompile(`^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$`)},
		{"md5-hash", "md5", regexp.MustCompile(`^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$`)},
		{"sha512-crypt", "crypt", regexp.MustCompile(`^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$`)},
		{"bcrypt", "crypt", regexp.MustCompile(`^\$2b\$10\$[./0-9A-Za-z]{53}$`)},
	}
	for _, tt := range tests {
		stored, enc, err := Encode(tt.pwType, "s3cret pass")
		if err != nil {
			t.Fatalf("Encode(%q): %v", tt.pwType, err)
		}
		if enc != tt.enc || !tt.shape.MatchString(stored) {
			t.Errorf("Encode(%q) = %q, %q", tt.pwType, stored, enc)
		}
		if !Verify(enc, stored, "s3cret pass") || Verify(enc, stored, "S3cret pass") {
			t.Errorf("Encode(%q) = %q does not verify exactly", tt.pwType, stored)
		}
	}
}

// TestEncodeVerifyRoundTrip: every deterministic type verifies what it
// encodes and rejects a different password.
func TestEncodeVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pwType := range []string{"", "md5sum", "md5base64", "sha1", "sha256", "sha512", "whirlpool", "tiger"} {
		for _, pw := range []string{"a", "secret", "Ünïcödé p@ss", strings.Repeat("x", 100)} {
			stored, enc, err := Encode(pwType, pw)
			if err != nil {
				t.Fatalf("Encode(%q, %q): %v", pwType, pw, err)
			}
			if !Verify(enc, stored, pw) || Verify(enc, stored, pw+"!") {
				t.Errorf("Encode(%q, %q) = %q does not verify exactly", pwType, pw, stored)
			}
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pwType, clear string
		want          error
		msg           string
	}{
		{"rot13", "secret", ErrUnsupportedType, "password type not supported [rot13]"},
		{"SHA512-CRYPT-X", "secret", ErrUnsupportedType, "password type not supported [SHA512-CRYPT-X]"},
		{"bogus-raw", "secret", ErrUnsupportedType, "password type not supported [bogus-raw]"},
		{"shadow", "secret", ErrUnsupportedType, ""},
		{"md5", "", ErrEmptyPassword, "password is empty"},
		{"plaintext", strings.Repeat("x", 131), ErrTooLong, ""},
	}
	for _, tt := range tests {
		_, _, err := Encode(tt.pwType, tt.clear)
		if !errors.Is(err, tt.want) {
			t.Errorf("Encode(%q) error = %v, want %v", tt.pwType, err, tt.want)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("Encode(%q) error text = %q, want %q", tt.pwType, err.Error(), tt.msg)
		}
	}
	if _, _, err := Encode("", "a\x00b"); err == nil {
		t.Error("Encode with NUL: no error")
	}
}

func TestShadowEncryptionType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		md5cryptSecret:  "md5",
		"abNANd1rDfiNc": "crypt",
		"$6$x$y":        "crypt",
		"!":             "crypt",
	} {
		if got := ShadowEncryptionType(in); got != want {
			t.Errorf("ShadowEncryptionType(%q) = %q, want %q", in, got, want)
		}
	}
}
