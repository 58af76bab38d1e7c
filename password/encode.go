package password

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dbmail-go/dbmail/password/unixcrypt"
)

var (
	// ErrUnsupportedType is returned by Encode for an unknown password type;
	// the message reads "password type not supported [x]" as in
	// dbmail-users (spec 7.1).
	ErrUnsupportedType = errors.New("password type not supported")
	// ErrEmptyPassword is returned by Encode for an empty password, which
	// could never log in (spec 4.2 step 1).
	ErrEmptyPassword = errors.New("password is empty")
	// ErrTooLong is returned when the value to store exceeds MaxStoredLen.
	ErrTooLong = errors.New("encoded password too long")
)

// MaxStoredLen is the size of dbmail_users.passwd on PostgreSQL (spec 4.2);
// DBMail refuses longer values.
const MaxStoredLen = 130

// Encode turns a clear-text password into the value to store in
// dbmail_users.passwd and the matching encryption_type, for a
// `dbmail-users -p` type (spec 7.1, mkpassword in DBMail's src/dm_user.c;
// case-insensitive):
//
//	"", plaintext, plaintext-raw  the password itself, type ""
//	crypt                         DES crypt(3), random 2-character salt
//	md5, md5-hash                 MD5-crypt "$1$<8 salt>$<22>", type md5
//	md5sum, md5-digest            32 lower-case hex, type md5sum
//	md5-base64, md5base64         DBMail's 129-character form, type md5base64
//	sha1, sha256, sha512,         lower-case hex digest, type = the name
//	whirlpool, tiger
//	<any of the above>-raw        the given value unchanged (already
//	                              encoded), with that type
//
// Two modern schemes are offered beyond DBMail's list (spec 9.1.6). Both are
// stored with encryption_type "crypt", so DBMail verifies them wherever the
// C library's crypt(3) knows the method (libxcrypt does):
//
//	sha512-crypt                  "$6$" SHA-512-crypt, 16-character salt
//	bcrypt                        "$2b$" bcrypt, cost 10
//
// "shadow" is not an encoding: the value comes from a shadow file entry, see
// ShadowEncryptionType.
func Encode(pwType, clear string) (stored, encryptionType string, err error) {
	if clear == "" {
		return "", "", ErrEmptyPassword
	}
	if strings.IndexByte(clear, 0) >= 0 {
		return "", "", fmt.Errorf("password contains NUL")
	}
	t := strings.ToLower(pwType)
	if base, ok := strings.CutSuffix(t, "-raw"); ok {
		enc, known := encryptionTypeOf(base)
		if !known || base == "" {
			return "", "", fmt.Errorf("%w [%s]", ErrUnsupportedType, pwType)
		}
		return checkLen(clear, enc)
	}
	enc, known := encryptionTypeOf(t)
	if !known {
		if t == "shadow" {
			return "", "", fmt.Errorf("%w [%s]: read the hash from the shadow file and use ShadowEncryptionType", ErrUnsupportedType, pwType)
		}
		return "", "", fmt.Errorf("%w [%s]", ErrUnsupportedType, pwType)
	}
	switch t {
	case "", "plaintext":
		stored = clear
	case "crypt":
		stored, err = unixcrypt.NewDES(clear)
	case "md5", "md5-hash":
		stored, err = unixcrypt.NewMD5(clear)
	case "md5-base64", "md5base64":
		stored = md5Base64(clear)
	case "sha512-crypt":
		stored, err = unixcrypt.NewSHA512(clear, 0)
	case "bcrypt":
		stored, err = unixcrypt.NewBcrypt(clear, 0)
	default: // md5sum, md5-digest, sha1, sha256, sha512, whirlpool, tiger
		stored, _ = hexDigest(enc, clear)
	}
	if err != nil {
		return "", "", fmt.Errorf("encode %s password: %w", t, err)
	}
	return checkLen(stored, enc)
}

// encryptionTypeOf maps a -p type name to the encryption_type it stores.
func encryptionTypeOf(t string) (string, bool) {
	switch t {
	case "", "plaintext":
		return "", true
	case "crypt", "sha512-crypt", "bcrypt":
		return "crypt", true
	case "md5", "md5-hash":
		return "md5", true
	case "md5sum", "md5-digest":
		return "md5sum", true
	case "md5-base64", "md5base64":
		return "md5base64", true
	case "sha1", "sha256", "sha512", "whirlpool", "tiger":
		return t, true
	}
	return "", false
}

func checkLen(stored, enc string) (string, string, error) {
	if len(stored) > MaxStoredLen {
		return "", "", fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, len(stored), MaxStoredLen)
	}
	return stored, enc, nil
}

// ShadowEncryptionType returns the encryption_type DBMail records for a hash
// copied from a shadow file with `dbmail-users -P` (spec 7.1): "md5" for an
// MD5-crypt hash ("$1$…"), "crypt" for anything else.
func ShadowEncryptionType(hash string) string {
	if strings.HasPrefix(hash, "$1$") {
		return "md5"
	}
	return "crypt"
}
