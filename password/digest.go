package password

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/dbmail-go/dbmail/password/tiger"
	"github.com/dbmail-go/dbmail/password/whirlpool"
)

// hexDigest returns the lower-case hex digest of s for one of DBMail's
// digest encryption types (src/dm_digest.c), and false for any other name.
func hexDigest(name, s string) (string, bool) {
	b := []byte(s)
	switch name {
	case "md5", "md5sum":
		d := md5.Sum(b)
		return hex.EncodeToString(d[:]), true
	case "sha1":
		d := sha1.Sum(b)
		return hex.EncodeToString(d[:]), true
	case "sha256":
		d := sha256.Sum256(b)
		return hex.EncodeToString(d[:]), true
	case "sha512":
		d := sha512.Sum512(b)
		return hex.EncodeToString(d[:]), true
	case "whirlpool":
		d := whirlpool.Sum(b)
		return hex.EncodeToString(d[:]), true
	case "tiger":
		d := tiger.Sum(b)
		return hex.EncodeToString(d[:]), true
	}
	return "", false
}

// md5Base64Len is the length of the md5base64 value DBMail stores (spec
// 4.2): the base64 text of the 16-byte digest followed by 2032 zero bytes,
// cut to 129 characters.
const md5Base64Len = 129

// md5Base64 returns DBMail's md5base64 form of s: the unpadded standard
// base64 of the MD5 digest (22 characters) followed by 'A' characters (the
// encoding of the zero bytes DBMail appends) up to 129 characters.
func md5Base64(s string) string {
	d := md5.Sum([]byte(s))
	enc := base64.RawStdEncoding.EncodeToString(d[:])
	return enc + strings.Repeat("A", md5Base64Len-len(enc))
}
