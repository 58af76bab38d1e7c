package unixcrypt

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// alphabet is the crypt(3) base-64 alphabet, "./0-9A-Za-z".
const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// index64 returns the value of a crypt base-64 character, or -1.
func index64(c byte) int {
	return strings.IndexByte(alphabet, c)
}

// append24 appends n characters encoding v, least significant six bits
// first (the "b64_from_24bit" convention of MD5-crypt and SHA-crypt).
func append24(dst []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, alphabet[v&0x3f])
		v >>= 6
	}
	return dst
}

// Salt returns n random characters from the crypt alphabet [./0-9A-Za-z],
// drawn from crypto/rand without modulo bias.
func Salt(n int) (string, error) {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("unixcrypt: random salt: %w", err)
		}
		for _, b := range buf {
			// 256 = 4 * 64: the low six bits are uniform.
			out = append(out, alphabet[b&0x3f])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}
