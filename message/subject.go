package message

import (
	"strings"
)

// BaseSubject extracts the base subject of RFC 5256 §2.1 (the rules of
// `dm_base_subject`, spec 2.9) from a decoded subject and lower-cases it as
// the sortfield of the header cache wants.
func BaseSubject(subject string) string {
	// (1) tabs and line breaks become spaces, runs of spaces one space
	s := strings.Join(strings.FieldsFunc(subject, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	}), " ")
	if strings.HasPrefix(subject, " ") || strings.HasPrefix(subject, "\t") {
		s = " " + s
	}
	for {
		// (2) remove trailing "(fwd)" and white space, repeatedly
		for {
			t := strings.TrimRight(s, " ")
			if strings.HasSuffix(strings.ToLower(t), "(fwd)") {
				s = t[:len(t)-len("(fwd)")]
				continue
			}
			s = t
			break
		}
		// (3)–(5) remove leaders and blobs until nothing changes
		for {
			changed := false
			for n := leaderLen(s); n > 0; n = leaderLen(s) {
				s = s[n:]
				changed = true
			}
			if n := blobLen(s); n > 0 && strings.TrimSpace(s[n:]) != "" {
				s = s[n:]
				changed = true
			}
			if !changed {
				break
			}
		}
		// (6) "[fwd: subject]" wrapper
		if len(s) >= 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s = s[5 : len(s)-1]
			continue
		}
		break
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// leaderLen measures a subj-leader at the start of s:
// (*subj-blob subj-refwd) / WSP, with subj-refwd = ("re" / ("fw" ["d"]))
// *WSP [subj-blob] ":" (RFC 5256 §5).
func leaderLen(s string) int {
	if s == "" {
		return 0
	}
	if s[0] == ' ' {
		return 1
	}
	i := 0
	for n := blobLen(s[i:]); n > 0; n = blobLen(s[i:]) {
		i += n
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "re"):
		i += 2
	case strings.HasPrefix(rest, "fwd"):
		i += 3
	case strings.HasPrefix(rest, "fw"):
		i += 2
	default:
		return 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	i += blobLen(s[i:])
	if i < len(s) && s[i] == ':' {
		return i + 1
	}
	return 0
}

// blobLen measures a subj-blob at the start of s: "[" *BLOBCHAR "]" *WSP.
func blobLen(s string) int {
	if s == "" || s[0] != '[' {
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
