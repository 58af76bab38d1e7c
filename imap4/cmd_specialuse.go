package imap4

import "strings"

// specialUseOf returns the RFC 6154 special-use attribute of one of the
// user's own top-level mailboxes, derived from its name: DBMail's schema
// has no column for the attributes (spec 3.1), so the well-known names
// clients create carry them. "" for other mailboxes.
func specialUseOf(name string) string {
	if strings.Contains(name, "/") {
		return ""
	}
	switch strings.ToLower(name) {
	case "sent", "sent items", "sent messages", "sent mail":
		return `\Sent`
	case "drafts":
		return `\Drafts`
	case "trash", "deleted items", "deleted messages":
		return `\Trash`
	case "junk", "spam":
		return `\Junk`
	case "archive", "archives":
		return `\Archive`
	}
	return ""
}

// useAllowed reports whether CREATE ... (USE (...)) asks only for the
// attribute the name carries (RFC 6154 §3: a server that cannot honour
// the attributes answers NO [USEATTR]).
func useAllowed(name string, uses []string) bool {
	have := specialUseOf(name)
	for _, u := range uses {
		if !strings.EqualFold(u, have) {
			return false
		}
	}
	return true
}
