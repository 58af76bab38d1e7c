package password

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// CRAMMD5 returns the CRAM-MD5 digest of challenge keyed with the
// plain-text password: lower-case hex HMAC-MD5 (RFC 2195 §2, RFC 2104).
func CRAMMD5(plainPassword, challenge string) string {
	mac := hmac.New(md5.New, []byte(plainPassword))
	mac.Write([]byte(challenge))
	return hex.EncodeToString(mac.Sum(nil))
}

// APOPDigest returns the APOP digest: lower-case hex MD5 of the greeting's
// timestamp (with its angle brackets) followed by the password (RFC 1939
// §7).
func APOPDigest(timestamp, plainPassword string) string {
	d := md5.Sum([]byte(timestamp + plainPassword))
	return hex.EncodeToString(d[:])
}

// VerifyCRAMMD5 checks a CRAM-MD5 response digest (the part after the user
// name and the space) against the stored password. Only plain-text stored
// passwords (encryption_type "") can be used (spec 6.2). Unlike DBMail,
// which compared only as many characters as the client sent and so let an
// empty digest log in (spec 9.1.1), the response must be exactly 32 hex
// digits (either case) and is compared whole, in constant time.
func VerifyCRAMMD5(encType, stored, challenge, response string) bool {
	if encType != "" || stored == "" || !isHex32(response) {
		return false
	}
	want := CRAMMD5(stored, challenge)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(response))) == 1
}

// VerifyAPOP checks a POP3 APOP digest against the stored password; like
// CRAM-MD5 it needs a plain-text stored password (spec 6.3). The digest must
// be exactly 32 hex digits and is compared whole, in constant time.
func VerifyAPOP(encType, stored, timestamp, digest string) bool {
	if encType != "" || stored == "" || !isHex32(digest) {
		return false
	}
	want := APOPDigest(timestamp, stored)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(digest))) == 1
}

// isHex32 reports whether s is 32 hexadecimal digits.
func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
