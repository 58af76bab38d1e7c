package password

import (
	"strings"
	"testing"
)

// Digests of "secret" from coreutils md5sum/sha1sum/sha256sum/sha512sum and
// rhash --whirlpool/--tiger; the md5base64 value is the one spec 4.2
// verified against DBMail.
const (
	md5Secret       = "5ebe2294ecd0e0f08eab7690d2a6ee69"
	sha1Secret      = "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
	sha256Secret    = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
	sha512Secret    = "bd2b1aaf7ef4f09be9f52ce2d8d599674d81aa9d6a4421696dc4d93dd0619d682ce56b4d64a9ef097761ced99e0f67265b5f76085e5b0ee7ca4696b2ad6fe2b2"
	whirlpoolSecret = "e061b87a674ae3880e159ab55ed35d6c5e8a6aefac6ab08304a50588018d377b28639bb15fdeedf006d57e45f7b4298e6dfefceaf7c92c826a708fe6d1156eb3"
	tigerSecret     = "fe47ec3ac6d65204bb821b4247db78eb7623b5a464310e5b"
	md5b64Secret    = "Xr4ilOzQ4PCOq3aQ0qbuaQAAAAAAAAAAAAAA"
	md5cryptSecret  = "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		enc, stored string
		given       string
		want        bool
	}{
		// plain text
		{"plain ok", "", "secret", "secret", true},
		{"plain wrong", "", "secret", "Secret", false},
		{"plain prefix", "", "secret", "secre", false},
		{"plain longer", "", "secret", "secrets", false},
		{"plaintext is not a type", "plaintext", "secret", "secret", false},
		{"empty stored", "", "", "", false},
		{"empty stored any type", "md5sum", "", "secret", false},
		{"empty given", "", "secret", "", false},
		{"NUL in given", "", "secret", "secret\x00x", false},

		// crypt(3)
		{"crypt des", "crypt", "abNANd1rDfiNc", "secret", true},
		{"crypt des case", "CRYPT", "abNANd1rDfiNc", "secret", true},
		{"crypt des wrong", "crypt", "abNANd1rDfiNc", "secreT", false},
		{"crypt des 8 chars", "crypt", "./qw5JW./79Vg", "12345678trailing", true},
		{"crypt bsdi", "crypt", "_J9..CCCCcAjMsTRdVIM", "secret", true},
		{"crypt bsdi all chars count", "crypt", "_zz..SALTp2p7CmJrUwU", "12345678", false},
		{"crypt md5", "crypt", md5cryptSecret, "secret", true},
		{"crypt sha256", "crypt", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!", true},
		{"crypt sha512", "crypt", "$6$rounds=1000$abc$MqEcPZUYRGGcOeq7PhMpfjfu/F0HrVEI0OlZBijWvO8mSG77iNUDP5MqFceKpJTBc8iITVtNyLiNTRNCxv6oh0", "secret", true},
		{"crypt bcrypt 2b", "crypt", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret", true},
		{"crypt bcrypt 2y", "crypt", "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret", true},
		{"crypt bcrypt wrong", "crypt", "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secreT", false},
		{"crypt yescrypt", "crypt", "$y$jC5$saltsalt$yRxo5hp7sltYFYt8kTx7FNLuivX2leruGEvglQC.3f3", "secret", true},
		{"crypt truncated", "crypt", "abNANd1rDfiN", "secret", false},
		{"crypt trailing", "crypt", "abNANd1rDfiNcX", "secret", false},
		{"crypt unknown method", "crypt", "$7$abc", "secret", false},

		// md5: MD5-crypt or hex
		{"md5 crypt", "md5", md5cryptSecret, "secret", true},
		{"md5 crypt upper type", "MD5", md5cryptSecret, "secret", true},
		{"md5 crypt wrong", "md5", md5cryptSecret, "secrets", false},
		{"md5 crypt 34 chars compared", "md5", md5cryptSecret + "garbage", "secret", true},
		{"md5 crypt short", "md5", md5cryptSecret[:33], "secret", false},
		{"md5 hex", "md5", md5Secret, "secret", true},
		{"md5 hex trailing ignored", "md5", md5Secret + "zz", "secret", true},
		{"md5 hex short", "md5", md5Secret[:31], "secret", false},
		{"md5 hex upper", "md5", strings.ToUpper(md5Secret), "secret", false},
		{"md5 ldap shadow row", "md5", "UNUSED", "UNUSED", false},

		{"md5sum", "md5sum", md5Secret, "secret", true},
		{"md5sum wrong", "md5sum", md5Secret, "secret ", false},
		{"md5sum crypt form", "md5sum", md5cryptSecret, "secret", false},

		// md5base64: 32 characters compared
		{"md5base64 spec value", "md5base64", md5b64Secret, "secret", true},
		{"md5base64 stored 129", "md5base64", md5b64Secret + strings.Repeat("A", 129-len(md5b64Secret)), "secret", true},
		{"md5base64 only 32 compared", "md5base64", md5b64Secret[:32], "secret", true},
		{"md5base64 padded never", "md5base64", "Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret", false},
		{"md5base64 wrong", "md5base64", md5b64Secret, "secreT", false},

		// sha1: 40 when present, 32 otherwise
		{"sha1", "sha1", sha1Secret, "secret", true},
		{"sha1 stored 32", "sha1", sha1Secret[:32], "secret", true},
		{"sha1 stored 35", "sha1", sha1Secret[:35], "secret", true},
		{"sha1 40 compared", "sha1", sha1Secret[:32] + "00000000", "secret", false},
		{"sha1 short", "sha1", sha1Secret[:31], "secret", false},

		{"sha256", "sha256", sha256Secret, "secret", true},
		{"sha256 short", "sha256", sha256Secret[:63], "secret", false},
		{"sha256 wrong", "sha256", sha256Secret, "Secret", false},
		{"sha512", "SHA512", sha512Secret, "secret", true},
		{"sha512 wrong", "sha512", sha512Secret, "x", false},
		{"whirlpool", "whirlpool", whirlpoolSecret, "secret", true},
		{"whirlpool wrong", "whirlpool", whirlpoolSecret, "secreT", false},
		{"tiger", "tiger", tigerSecret, "secret", true},
		{"tiger wrong", "tiger", tigerSecret, "secreT", false},
		{"tiger empty-string digest", "tiger", "3293ac630c13f0245f92bbb1766e16167a4e58492dde73f3", "", false},

		// unknown types
		{"SHA512-CRYPT", "SHA512-CRYPT", "$6$x", "secret", false},
		{"bcrypt type", "bcrypt", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret", false},
		{"ssha", "{SSHA}", "abc", "secret", false},
	}
	for _, tt := range tests {
		if got := Verify(tt.enc, tt.stored, tt.given); got != tt.want {
			t.Errorf("%s: Verify(%q, %q, %q) = %v, want %v", tt.name, tt.enc, tt.stored, tt.given, got, tt.want)
		}
	}
}

// FuzzVerify checks that Verify never panics and that an empty stored value
// never matches.
func FuzzVerify(f *testing.F) {
	for _, s := range []struct{ enc, stored, given string }{
		{"", "secret", "secret"},
		{"crypt", "abNANd1rDfiNc", "secret"},
		{"md5", md5cryptSecret, "secret"},
		{"md5", md5Secret, "secret"},
		{"md5base64", md5b64Secret, "secret"},
		{"sha1", sha1Secret, "secret"},
		{"tiger", tigerSecret, "secret"},
		{"whirlpool", whirlpoolSecret, "x"},
		{"crypt", "$5$rounds=1000$ab$", "x"},
		{"crypt", "$1$", ""},
	} {
		f.Add(s.enc, s.stored, s.given)
	}
	f.Fuzz(func(t *testing.T, enc, stored, given string) {
		if strings.EqualFold(enc, "crypt") && expensiveSetting(stored) {
			return // a stored cost parameter may legitimately take minutes
		}
		ok := Verify(enc, stored, given)
		if ok && (stored == "" || given == "") {
			t.Errorf("Verify(%q, %q, %q) = true", enc, stored, given)
		}
	})
}

// expensiveSetting reports crypt settings whose cost is chosen by the stored
// value (bcrypt cost, SHA-crypt rounds, yescrypt N, BSDi iterations).
func expensiveSetting(s string) bool {
	return strings.HasPrefix(s, "$2") || strings.HasPrefix(s, "$y$") || strings.HasPrefix(s, "_") ||
		strings.Contains(s, "rounds=")
}

func benchVerify(b *testing.B, enc, stored string) {
	b.Helper()
	if !Verify(enc, stored, "secret") {
		b.Fatalf("%s value does not verify", enc)
	}
	for b.Loop() {
		Verify(enc, stored, "secret")
	}
}

func BenchmarkVerifyPlain(b *testing.B)     { benchVerify(b, "", "secret") }
func BenchmarkVerifyCryptDES(b *testing.B)  { benchVerify(b, "crypt", "abNANd1rDfiNc") }
func BenchmarkVerifyMD5Crypt(b *testing.B)  { benchVerify(b, "md5", md5cryptSecret) }
func BenchmarkVerifyMD5Hex(b *testing.B)    { benchVerify(b, "md5", md5Secret) }
func BenchmarkVerifyMD5Sum(b *testing.B)    { benchVerify(b, "md5sum", md5Secret) }
func BenchmarkVerifyMD5Base64(b *testing.B) { benchVerify(b, "md5base64", md5b64Secret) }
func BenchmarkVerifySHA1(b *testing.B)      { benchVerify(b, "sha1", sha1Secret) }
func BenchmarkVerifySHA256(b *testing.B)    { benchVerify(b, "sha256", sha256Secret) }
func BenchmarkVerifySHA512(b *testing.B)    { benchVerify(b, "sha512", sha512Secret) }
func BenchmarkVerifyWhirlpool(b *testing.B) { benchVerify(b, "whirlpool", whirlpoolSecret) }
func BenchmarkVerifyTiger(b *testing.B)     { benchVerify(b, "tiger", tigerSecret) }
func BenchmarkVerifyCryptSHA512(b *testing.B) {
	benchVerify(b, "crypt", "$6$rounds=1000$abc$MqEcPZUYRGGcOeq7PhMpfjfu/F0HrVEI0OlZBijWvO8mSG77iNUDP5MqFceKpJTBc8iITVtNyLiNTRNCxv6oh0")
}
func BenchmarkVerifyCryptBcrypt(b *testing.B) {
	benchVerify(b, "crypt", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW")
}
func BenchmarkVerifyCryptYescrypt(b *testing.B) {
	benchVerify(b, "crypt", "$y$jC5$saltsalt$yRxo5hp7sltYFYt8kTx7FNLuivX2leruGEvglQC.3f3")
}
