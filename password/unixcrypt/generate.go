package unixcrypt

import (
	"fmt"
	"strconv"

	"golang.org/x/crypto/bcrypt"
)

// NewDES hashes key with traditional DES crypt and a random two-character
// salt, as `dbmail-users -p crypt` does (spec 7.1).
func NewDES(key string) (string, error) {
	salt, err := Salt(2)
	if err != nil {
		return "", err
	}
	return Crypt(key, salt)
}

// NewMD5 hashes key with MD5-crypt and a random eight-character salt, as
// `dbmail-users -p md5` does (spec 7.1).
func NewMD5(key string) (string, error) {
	salt, err := Salt(8)
	if err != nil {
		return "", err
	}
	return Crypt(key, md5Prefix+salt)
}

// NewSHA512 hashes key with SHA-512-crypt and a random sixteen-character
// salt. rounds 0 means the default (5000, not written into the result).
func NewSHA512(key string, rounds int) (string, error) {
	salt, err := Salt(shaSaltMax)
	if err != nil {
		return "", err
	}
	setting := sha512Variant.prefix
	if rounds != 0 {
		setting += shaRoundsPrefix + strconv.Itoa(rounds) + "$"
	}
	return Crypt(key, setting+salt)
}

// NewBcrypt hashes key with bcrypt ("$2b$") at the given cost (0 means
// bcrypt.DefaultCost). Keys longer than 72 bytes are refused rather than
// silently truncated.
func NewBcrypt(key string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(key), cost)
	if err != nil {
		return "", fmt.Errorf("unixcrypt: bcrypt: %w", err)
	}
	// x/crypto writes "$2a$"; the algorithm is the same as "$2b$" for keys
	// of at most 72 bytes, and "$2b$" is what current crypt(3) writes.
	h[2] = 'b'
	return string(h), nil
}
