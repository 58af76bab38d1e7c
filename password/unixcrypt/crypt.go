// Package unixcrypt implements the crypt(3) password hashing methods that
// DBMail's encryption_type "crypt" and "md5" rely on (spec 4.2): traditional
// DES, BSDi extended DES ("_"), MD5-crypt ("$1$"), SHA-256-crypt ("$5$"), SHA-512-crypt ("$6$"),
// bcrypt ("$2a$", "$2b$", "$2y$", via golang.org/x/crypto/bcrypt) and
// yescrypt ("$y$", via github.com/go-crypt/x/yescrypt, the Go port by Solar
// Designer; libxcrypt's parameter subset). Everything is pure Go: the
// result does not depend on the C library of the host.
package unixcrypt

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/go-crypt/x/yescrypt"
	"golang.org/x/crypto/bcrypt"
)

var (
	// ErrUnsupported reports a setting whose method is not implemented
	// (e.g. SunMD5 "$md5", "$sha1$", scrypt "$7$", "$gy$", NT "$3$").
	ErrUnsupported = errors.New("unixcrypt: unsupported hash method")
	// ErrInvalidSetting reports a malformed salt or parameter string.
	ErrInvalidSetting = errors.New("unixcrypt: invalid setting")
)

// Method names a crypt(3) hashing method.
type Method int

// The methods Crypt understands, by setting prefix.
const (
	MethodUnknown  Method = iota
	MethodDES             // two salt characters, 13-character result
	MethodMD5             // $1$
	MethodSHA256          // $5$
	MethodSHA512          // $6$
	MethodBcrypt          // $2a$, $2b$, $2y$
	MethodYescrypt        // $y$
	MethodBSDI            // _ (BSDi extended DES)
)

// String returns the method's conventional name.
func (m Method) String() string {
	switch m {
	case MethodDES:
		return "descrypt"
	case MethodMD5:
		return "md5crypt"
	case MethodSHA256:
		return "sha256crypt"
	case MethodSHA512:
		return "sha512crypt"
	case MethodBcrypt:
		return "bcrypt"
	case MethodYescrypt:
		return "yescrypt"
	case MethodBSDI:
		return "bsdicrypt"
	}
	return "unknown"
}

// Identify tells which method a setting or stored hash selects, the way
// crypt(3) does: by its prefix; a setting with no '$' prefix whose first two
// characters are from the crypt alphabet is traditional DES.
func Identify(setting string) Method {
	switch {
	case strings.HasPrefix(setting, md5Prefix):
		return MethodMD5
	case strings.HasPrefix(setting, sha256Variant.prefix):
		return MethodSHA256
	case strings.HasPrefix(setting, sha512Variant.prefix):
		return MethodSHA512
	case strings.HasPrefix(setting, "$2a$"), strings.HasPrefix(setting, "$2b$"), strings.HasPrefix(setting, "$2y$"):
		return MethodBcrypt
	case strings.HasPrefix(setting, "$y$"):
		return MethodYescrypt
	case strings.HasPrefix(setting, bsdiPrefix):
		return MethodBSDI
	case len(setting) >= 2 && index64(setting[0]) >= 0 && index64(setting[1]) >= 0:
		return MethodDES
	}
	return MethodUnknown
}

// Crypt computes crypt(key, setting) as crypt(3) defines it: setting is a
// salt string or a complete stored hash, and the result is the full hash
// string. Keys containing NUL are refused (C would silently truncate them).
func Crypt(key, setting string) (string, error) {
	if strings.IndexByte(key, 0) >= 0 {
		return "", fmt.Errorf("unixcrypt: key contains NUL")
	}
	switch Identify(setting) {
	case MethodDES:
		return desCrypt(key, setting)
	case MethodMD5:
		return md5Crypt(key, setting)
	case MethodSHA256:
		return sha256Variant.crypt(key, setting)
	case MethodSHA512:
		return sha512Variant.crypt(key, setting)
	case MethodBcrypt:
		return bcryptCrypt(key, setting)
	case MethodBSDI:
		return bsdiCrypt(key, setting)
	case MethodYescrypt:
		h, err := yescrypt.Hash([]byte(key), []byte(setting))
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidSetting, err)
		}
		return string(h), nil
	}
	return "", fmt.Errorf("%w: %.4q", ErrUnsupported, setting)
}

// Verify reports whether crypt(key, stored) == stored, comparing in
// constant time. An empty or unrecognised stored value never matches.
func Verify(key, stored string) bool {
	if stored == "" {
		return false
	}
	got, err := Crypt(key, stored)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(stored)) == 1
}

// bcryptCrypt recomputes a bcrypt hash with the cost and salt of setting,
// which must be a complete 60-character hash (bcrypt has no salt-only form
// in golang.org/x/crypto). The result carries the setting's own "$2x$"
// prefix so it compares equal to the stored value.
func bcryptCrypt(key, setting string) (string, error) {
	if len(setting) != 60 {
		return "", fmt.Errorf("%w: bcrypt hash must be 60 characters", ErrInvalidSetting)
	}
	k := []byte(key)
	if len(k) > 72 {
		k = k[:72] // crypt_blowfish and OpenBSD use at most 72 key bytes
	}
	err := bcrypt.CompareHashAndPassword([]byte(setting), k)
	switch {
	case err == nil:
		return setting, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		// Any value that differs from setting; its content is irrelevant.
		return "*0", nil
	default:
		return "", fmt.Errorf("%w: %w", ErrInvalidSetting, err)
	}
}
