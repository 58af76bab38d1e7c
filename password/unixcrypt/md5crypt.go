package unixcrypt

import (
	"crypto/md5"
	"strings"
)

// md5Prefix introduces an MD5-crypt setting.
const md5Prefix = "$1$"

// md5Crypt is Poul-Henning Kamp's FreeBSD MD5-crypt ("$1$", glibc and
// libxcrypt "md5crypt"): salt of at most 8 characters up to the next '$',
// 1000 rounds, 22 output characters. Output: "$1$" salt "$" hash.
func md5Crypt(key, setting string) (string, error) {
	salt := strings.TrimPrefix(setting, md5Prefix)
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(key)

	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	altSum := alt.Sum(nil)

	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(md5Prefix))
	ctx.Write([]byte(salt))
	for n := len(pw); n > 0; n -= 16 {
		ctx.Write(altSum[:min(n, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final := ctx.Sum(nil)

	c := md5.New()
	for i := 0; i < 1000; i++ {
		c.Reset()
		if i&1 != 0 {
			c.Write(pw)
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write([]byte(salt))
		}
		if i%7 != 0 {
			c.Write(pw)
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write(pw)
		}
		final = c.Sum(final[:0])
	}

	out := make([]byte, 0, len(md5Prefix)+len(salt)+1+22)
	out = append(out, md5Prefix...)
	out = append(out, salt...)
	out = append(out, '$')
	for _, g := range [5][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = append24(out, uint32(final[g[0]])<<16|uint32(final[g[1]])<<8|uint32(final[g[2]]), 4)
	}
	out = append24(out, uint32(final[11]), 2)
	return string(out), nil
}
