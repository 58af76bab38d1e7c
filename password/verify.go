package password

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/dbmail-go/dbmail/password/unixcrypt"
)

// Verify reports whether the password given by a client matches the value
// stored in dbmail_users.passwd (or spasswd) with the given encryption_type
// (spec 4.2, db_user_validate in DBMail's src/dm_db.c).
//
// encryptionType is compared case-insensitively:
//
//	""          plain text, exact comparison
//	crypt       crypt(3): DES, $1$, $5$, $6$, $2a$/$2b$/$2y$, $y$
//	md5         "$1$…" MD5-crypt, first 34 characters compared; otherwise
//	            lower-case hex MD5, first 32 characters compared
//	md5sum      hex MD5, 32 characters
//	md5base64   unpadded base64 of the MD5 digest plus ten 'A', 32 characters
//	sha1        hex SHA-1: all 40 characters when the stored value has 40,
//	            else the first 32 (DBMail compared only 32, spec 9.1.3)
//	sha256      hex SHA-256, 64 characters
//	sha512      hex SHA-512, 128 characters
//	whirlpool   hex Whirlpool, 128 characters
//	tiger       hex Tiger/192, 48 characters
//
// "n characters compared" has C strncmp semantics: the first n characters of
// the computed and the stored value must be equal, and characters of the
// stored value beyond n are ignored. Hex digests are lower-case and compared
// case-sensitively. Anything else fails: an unknown encryption type, an
// empty stored value, and an empty given password (which DBMail refuses
// before checking, spec 4.2 step 1) or one containing NUL (which C would
// have cut short). All comparisons of secret-derived values are
// constant-time.
func Verify(encryptionType, stored, given string) bool {
	if stored == "" || given == "" || strings.IndexByte(given, 0) >= 0 {
		return false
	}
	switch t := strings.ToLower(encryptionType); t {
	case "":
		return plainEqual(stored, given)
	case "crypt":
		return unixcrypt.Verify(given, stored)
	case "md5":
		if strings.HasPrefix(stored, "$1$") {
			h, err := unixcrypt.Crypt(given, stored)
			return err == nil && prefixEqual(h, stored, 34)
		}
		d, _ := hexDigest(t, given)
		return prefixEqual(d, stored, 32)
	case "md5base64":
		return prefixEqual(md5Base64(given), stored, 32)
	case "sha1":
		d, _ := hexDigest(t, given)
		n := 32
		if len(stored) >= 40 {
			n = 40
		}
		return prefixEqual(d, stored, n)
	case "md5sum", "sha256", "sha512", "whirlpool", "tiger":
		d, _ := hexDigest(t, given)
		return prefixEqual(d, stored, len(d))
	}
	return false
}

// prefixEqual reports whether strncmp(computed, stored, n) == 0: the first n
// characters of each (fewer if the string is shorter) are equal. The byte
// comparison is constant-time; only the lengths can be learnt from timing.
func prefixEqual(computed, stored string, n int) bool {
	a, b := computed, stored
	if len(a) > n {
		a = a[:n]
	}
	if len(b) > n {
		b = b[:n]
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// plainEqual compares two plain-text passwords without revealing, through
// timing, either their content or their length: it compares their SHA-256
// digests, then confirms the bytes (equal digests imply equal lengths).
func plainEqual(stored, given string) bool {
	a := sha256.Sum256([]byte(stored))
	b := sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 &&
		subtle.ConstantTimeCompare([]byte(stored), []byte(given)) == 1
}
