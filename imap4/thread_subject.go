package imap4

import "strings"

// isReplySubject reports whether extracting the base subject of the
// decoded subject (RFC 5256 §2.1) removes a reply or forward marker: a
// "(fwd)" trailer (step 2), a "re:"/"fw:"/"fwd:" leader (step 3) or a
// "[fwd: …]" wrapper (step 6). THREAD=REFERENCES step 6 needs it.
func isReplySubject(subject string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(subject), " "))
	if strings.HasSuffix(s, "(fwd)") || isFwdWrapper(s) {
		return true
	}
	for {
		s = strings.TrimLeft(s, " ")
		n := subjBlobLen(s)
		if n == 0 {
			break
		}
		if strings.TrimSpace(s[n:]) == "" {
			return false // a lone blob is the base subject
		}
		s = s[n:]
	}
	for _, p := range []string{"re", "fwd", "fw"} {
		rest, ok := strings.CutPrefix(s, p)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " ")
		rest = rest[subjBlobLen(rest):]
		if strings.HasPrefix(rest, ":") {
			return true
		}
	}
	return isFwdWrapper(s)
}

// isFwdWrapper: "[fwd:" subject "]" (RFC 5256 §2.1 step 6).
func isFwdWrapper(s string) bool {
	return strings.HasPrefix(s, "[fwd:") && strings.HasSuffix(s, "]")
}

// subjBlobLen measures a subj-blob ("[" *BLOBCHAR "]" *WSP, RFC 5256 §5)
// at the start of s.
func subjBlobLen(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	end := strings.IndexAny(s[1:], "[]")
	if end < 0 || s[1+end] != ']' {
		return 0
	}
	i := end + 2
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}
